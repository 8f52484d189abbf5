// STIX 2.1 type tables (OASIS STIX Version 2.1, sections 3-7) and the
// cross-property rules of each type.

#include <boost/json.hpp>

#include "stix/spec.h"

namespace kizuna::stix::internal {
namespace {

namespace json = boost::json;
using SV = std::string_view;
using namespace build;  // NOLINT: table builders

// ---------------------------------------------------------------------------
// Reference targets.

constexpr SV kIdentityT[] = {"identity"};
constexpr SV kMarkingT[] = {"marking-definition"};
constexpr SV kSoftwareT[] = {"software"};
constexpr SV kObservedDataT[] = {"observed-data"};
constexpr SV kIdentityLocationT[] = {"identity", "location"};
constexpr SV kSampleT[] = {"artifact", "file", "network-traffic"};
constexpr SV kFileArtifactT[] = {"file", "artifact"};
constexpr SV kFileDirT[] = {"file", "directory"};
constexpr SV kFileT[] = {"file"};
constexpr SV kDirectoryT[] = {"directory"};
constexpr SV kArtifactT[] = {"artifact"};
constexpr SV kEmailAddrT[] = {"email-addr"};
constexpr SV kUserAccountT[] = {"user-account"};
constexpr SV kMacAddrT[] = {"mac-addr"};
constexpr SV kAsT[] = {"autonomous-system"};
constexpr SV kResolvesT[] = {"ipv4-addr", "ipv6-addr", "domain-name"};
constexpr SV kEndpointT[] = {"ipv4-addr", "ipv6-addr", "mac-addr", "domain-name"};
constexpr SV kNetworkTrafficT[] = {"network-traffic"};
constexpr SV kProcessT[] = {"process"};

constexpr RefTarget kToIdentity{kIdentityT, 0, "an identity"};
constexpr RefTarget kToMarking{kMarkingT, 0, "a marking-definition"};
constexpr RefTarget kToSoftware{kSoftwareT, 0, "a software object"};
constexpr RefTarget kToObservedData{kObservedDataT, 0, "an observed-data object"};
constexpr RefTarget kToIdentityOrLocation{kIdentityLocationT, 0, "an identity or a location"};
constexpr RefTarget kToSample{kSampleT, 0, "a file, artifact or network-traffic object"};
constexpr RefTarget kToFileOrArtifact{kFileArtifactT, 0, "a file or artifact object"};
constexpr RefTarget kToFileOrDirectory{kFileDirT, 0, "a file or directory object"};
constexpr RefTarget kToFile{kFileT, 0, "a file object"};
constexpr RefTarget kToDirectory{kDirectoryT, 0, "a directory object"};
constexpr RefTarget kToArtifact{kArtifactT, 0, "an artifact object"};
constexpr RefTarget kToEmailAddr{kEmailAddrT, 0, "an email-addr object"};
constexpr RefTarget kToUserAccount{kUserAccountT, 0, "a user-account object"};
constexpr RefTarget kToMacAddr{kMacAddrT, 0, "a mac-addr object"};
constexpr RefTarget kToAs{kAsT, 0, "an autonomous-system object"};
constexpr RefTarget kToResolvable{kResolvesT, 0, "an ipv4-addr, ipv6-addr or domain-name object"};
constexpr RefTarget kToEndpoint{kEndpointT, 0,
                                "an ipv4-addr, ipv6-addr, mac-addr or domain-name object"};
constexpr RefTarget kToNetworkTraffic{kNetworkTrafficT, 0, "a network-traffic object"};
constexpr RefTarget kToProcess{kProcessT, 0, "a process object"};
constexpr RefTarget kToAny{{}, kRefAny, "a STIX object"};
constexpr RefTarget kToSdoOrSco{{}, kRefSdo | kRefSco | kRefCustom, "an SDO or SCO"};
constexpr RefTarget kToSighted{{}, kRefSdo | kRefCustom, "an SDO"};
constexpr RefTarget kToSco{{}, kRefSco | kRefCustom, "an SCO"};
constexpr RefTarget kToScoOrSro{{}, kRefSco | kRefSro | kRefCustom, "an SCO or SRO"};
constexpr RefTarget kToNotMetaOrBundle{
    {}, kRefSdo | kRefSro | kRefSco | kRefCustom, "an SDO, SRO or SCO"};

// ---------------------------------------------------------------------------
// Common properties (section 3.2) and common types (section 2).

constexpr PropSpec kExternalReferenceProps[] = {Req(Str("source_name")), Str("description"),
                                                Url("url"), Hashes("hashes"), Str("external_id")};

constexpr PropSpec kGranularMarkingProps[] = {Req(P("selectors", Kind::kStringList)),
                                              Str("lang", kLanguageTag),
                                              Ref("marking_ref", kToMarking)};

constexpr PropSpec kCommonSdoProps[] = {
    Req(Str("type")),
    Req(Str("spec_version")),
    Req(Str("id")),
    Ref("created_by_ref", kToIdentity),
    Req(Ts("created")),
    Req(Ts("modified")),
    Bool("revoked"),
    Strs("labels"),
    Int("confidence", 0, 100),
    Str("lang", kLanguageTag),
    Objs("external_references", kExternalReference21),
    Refs("object_marking_refs", kToMarking),
    Objs("granular_markings", kGranularMarking21),
    P("extensions", Kind::kAny),
};

constexpr PropSpec kCommonScoProps[] = {
    Req(Str("type")),
    Str("spec_version"),
    Req(Str("id")),
    Refs("object_marking_refs", kToMarking),
    Objs("granular_markings", kGranularMarking21),
    Bool("defanged"),
    P("extensions", Kind::kAny),
};

// ---------------------------------------------------------------------------
// SDOs (section 4).

constexpr PropSpec kAttackPattern[] = {Req(Str("name")), Str("description"), Strs("aliases"),
                                       Kcp("kill_chain_phases")};

constexpr PropSpec kCampaign[] = {Req(Str("name")), Str("description"), Strs("aliases"),
                                  Ts("first_seen"), Ts("last_seen"),    Str("objective")};

constexpr PropSpec kCourseOfAction[] = {Req(Str("name")), Str("description")};

constexpr PropSpec kGrouping[] = {Str("name"), Str("description"),
                                  Req(Ov("context", kGroupingContextOv)),
                                  Req(Refs("object_refs", kToAny))};

constexpr PropSpec kIdentity[] = {Req(Str("name")),
                                  Str("description"),
                                  Strs("roles"),
                                  Ov("identity_class", kIdentityClassOv),
                                  Ovs("sectors", kIndustrySectorOv),
                                  Str("contact_information")};

constexpr PropSpec kIncident[] = {Req(Str("name")), Str("description"), Kcp("kill_chain_phases")};

constexpr PropSpec kIndicator[] = {Str("name"),
                                   Str("description"),
                                   Ovs("indicator_types", kIndicatorTypeOv),
                                   Req(Str("pattern")),
                                   Req(Ov("pattern_type", kPatternTypeOv)),
                                   Str("pattern_version"),
                                   Req(Ts("valid_from")),
                                   Ts("valid_until"),
                                   Kcp("kill_chain_phases")};

constexpr PropSpec kInfrastructure[] = {
    Req(Str("name")), Str("description"),       Ovs("infrastructure_types", kInfrastructureTypeOv),
    Strs("aliases"),  Kcp("kill_chain_phases"), Ts("first_seen"),
    Ts("last_seen")};

constexpr PropSpec kIntrusionSet[] = {Req(Str("name")),
                                      Str("description"),
                                      Strs("aliases"),
                                      Ts("first_seen"),
                                      Ts("last_seen"),
                                      Strs("goals"),
                                      Ov("resource_level", kAttackResourceLevelOv),
                                      Ov("primary_motivation", kAttackMotivationOv),
                                      Ovs("secondary_motivations", kAttackMotivationOv)};

constexpr PropSpec kLocation[] = {Str("name"),
                                  Str("description"),
                                  Num("latitude", -90, 90),
                                  Num("longitude", -180, 180),
                                  Num("precision", 0, std::numeric_limits<int64_t>::max()),
                                  Ov("region", kRegionOv),
                                  Str("country"),
                                  Str("administrative_area"),
                                  Str("city"),
                                  Str("street_address"),
                                  Str("postal_code")};

constexpr PropSpec kMalware[] = {Str("name"),
                                 Str("description"),
                                 Ovs("malware_types", kMalwareTypeOv),
                                 Req(Bool("is_family")),
                                 Strs("aliases"),
                                 Kcp("kill_chain_phases"),
                                 Ts("first_seen"),
                                 Ts("last_seen"),
                                 Refs("operating_system_refs", kToSoftware),
                                 Ovs("architecture_execution_envs", kProcessorArchitectureOv),
                                 Ovs("implementation_languages", kImplementationLanguageOv),
                                 Ovs("capabilities", kMalwareCapabilitiesOv),
                                 Refs("sample_refs", kToFileOrArtifact)};

constexpr PropSpec kMalwareAnalysis[] = {Req(Str("product")),
                                         Str("version"),
                                         Ref("host_vm_ref", kToSoftware),
                                         Ref("operating_system_ref", kToSoftware),
                                         Refs("installed_software_refs", kToSoftware),
                                         Str("configuration_version"),
                                         Strs("modules"),
                                         Str("analysis_engine_version"),
                                         Str("analysis_definition_version"),
                                         Ts("submitted"),
                                         Ts("analysis_started"),
                                         Ts("analysis_ended"),
                                         Str("result_name"),
                                         Ov("result", kMalwareResultOv),
                                         Refs("analysis_sco_refs", kToSco),
                                         Ref("sample_ref", kToSample)};

constexpr PropSpec kNote[] = {Str("abstract"), Req(Str("content")), Strs("authors"),
                              Req(Refs("object_refs", kToAny))};

constexpr PropSpec kObservedData[] = {
    Req(Ts("first_observed")), Req(Ts("last_observed")), Req(Int("number_observed", 1, 999999999)),
    P("objects", Kind::kAny, kDeprecated), Refs("object_refs", kToScoOrSro)};

constexpr PropSpec kOpinion[] = {Str("explanation"), Strs("authors"),
                                 Req(En("opinion", kOpinionEnum)),
                                 Req(Refs("object_refs", kToAny))};

constexpr PropSpec kReport[] = {Req(Str("name")), Str("description"),
                                Ovs("report_types", kReportTypeOv), Req(Ts("published")),
                                Req(Refs("object_refs", kToAny))};

constexpr PropSpec kThreatActor[] = {Req(Str("name")),
                                     Str("description"),
                                     Ovs("threat_actor_types", kThreatActorTypeOv),
                                     Strs("aliases"),
                                     Ts("first_seen"),
                                     Ts("last_seen"),
                                     Ovs("roles", kThreatActorRoleOv),
                                     Strs("goals"),
                                     Ov("sophistication", kThreatActorSophisticationOv),
                                     Ov("resource_level", kAttackResourceLevelOv),
                                     Ov("primary_motivation", kAttackMotivationOv),
                                     Ovs("secondary_motivations", kAttackMotivationOv),
                                     Ovs("personal_motivations", kAttackMotivationOv)};

constexpr PropSpec kTool[] = {
    Req(Str("name")), Str("description"),       Ovs("tool_types", kToolTypeOv),
    Strs("aliases"),  Kcp("kill_chain_phases"), Str("tool_version")};

constexpr PropSpec kVulnerability[] = {Req(Str("name")), Str("description")};

// ---------------------------------------------------------------------------
// SROs (section 5).

constexpr PropSpec kRelationship[] = {
    Req(Str("relationship_type")),       Str("description"), Req(Ref("source_ref", kToSdoOrSco)),
    Req(Ref("target_ref", kToSdoOrSco)), Ts("start_time"),   Ts("stop_time")};

constexpr PropSpec kSighting[] = {Str("description"),
                                  Ts("first_seen"),
                                  Ts("last_seen"),
                                  Int("count", 0, 999999999),
                                  Req(Ref("sighting_of_ref", kToSighted)),
                                  Refs("observed_data_refs", kToObservedData),
                                  Refs("where_sighted_refs", kToIdentityOrLocation),
                                  Bool("summary")};

// ---------------------------------------------------------------------------
// Meta objects (section 7).

constexpr PropSpec kLanguageContentCommon[] = {
    Req(Str("type")),
    Req(Str("spec_version")),
    Req(Str("id")),
    Ref("created_by_ref", kToIdentity),
    Req(Ts("created")),
    Req(Ts("modified")),
    Bool("revoked"),
    Strs("labels"),
    Int("confidence", 0, 100),
    Objs("external_references", kExternalReference21),
    Refs("object_marking_refs", kToMarking),
    Objs("granular_markings", kGranularMarking21),
    P("extensions", Kind::kAny),
};
constexpr PropSpec kLanguageContent[] = {Req(Ref("object_ref", kToNotMetaOrBundle)),
                                         Ts("object_modified"), Req(P("contents", Kind::kAny))};

constexpr PropSpec kMarkingDefinitionCommon[] = {
    Req(Str("type")),
    Req(Str("spec_version")),
    Req(Str("id")),
    Ref("created_by_ref", kToIdentity),
    Req(Ts("created")),
    Objs("external_references", kExternalReference21),
    Refs("object_marking_refs", kToMarking),
    Objs("granular_markings", kGranularMarking21),
    P("extensions", Kind::kAny),
};
constexpr PropSpec kMarkingDefinition[] = {Str("name"), Str("definition_type"),
                                           P("definition", Kind::kAny)};

constexpr PropSpec kExtensionDefinitionCommon[] = {
    Req(Str("type")),
    Req(Str("spec_version")),
    Req(Str("id")),
    Req(Ref("created_by_ref", kToIdentity)),
    Req(Ts("created")),
    Req(Ts("modified")),
    Bool("revoked"),
    Strs("labels"),
    Objs("external_references", kExternalReference21),
    Refs("object_marking_refs", kToMarking),
    Objs("granular_markings", kGranularMarking21),
};
constexpr PropSpec kExtensionDefinition[] = {Req(Str("name")),
                                             Str("description"),
                                             Req(Str("schema")),
                                             Req(Str("version")),
                                             Req(Ens("extension_types", kExtensionTypeEnum)),
                                             Strs("extension_properties")};

// ---------------------------------------------------------------------------
// SCOs (section 6) and their predefined extensions.

constexpr PropSpec kArtifact[] = {Str("mime_type"),
                                  Idc(P("payload_bin", Kind::kBinary)),
                                  Url("url"),
                                  Idc(Hashes("hashes")),
                                  En("encryption_algorithm", kEncryptionAlgorithmEnum),
                                  Str("decryption_key")};

constexpr PropSpec kAutonomousSystem[] = {Idc(Req(Int("number"))), Str("name"), Str("rir")};

constexpr PropSpec kDirectory[] = {
    Idc(Req(Str("path"))), Str("path_enc"), Ts("ctime"),
    Ts("mtime"),           Ts("atime"),     Refs("contains_refs", kToFileOrDirectory)};

constexpr PropSpec kDomainName[] = {Idc(Req(Str("value"))),
                                    Refs("resolves_to_refs", kToResolvable)};

constexpr PropSpec kEmailAddr[] = {Idc(Req(Str("value"))), Str("display_name"),
                                   Ref("belongs_to_ref", kToUserAccount)};

constexpr PropSpec kMimePart[] = {Str("body"), Ref("body_raw_ref", kToFileOrArtifact),
                                  Str("content_type"), Str("content_disposition")};
constexpr ObjectSpec kMimePartSpec{"mime-part-type", kMimePart, CheckMimePart};

constexpr PropSpec kEmailMessage[] = {Req(Bool("is_multipart")),
                                      Ts("date"),
                                      Str("content_type"),
                                      Idc(Ref("from_ref", kToEmailAddr)),
                                      Ref("sender_ref", kToEmailAddr),
                                      Refs("to_refs", kToEmailAddr),
                                      Refs("cc_refs", kToEmailAddr),
                                      Refs("bcc_refs", kToEmailAddr),
                                      Str("message_id"),
                                      Idc(Str("subject")),
                                      Strs("received_lines"),
                                      Dict("additional_header_fields", kNoKeyCheck),
                                      Idc(Str("body")),
                                      Objs("body_multipart", kMimePartSpec),
                                      Ref("raw_email_ref", kToArtifact)};

// File extensions (section 6.7.2).
constexpr PropSpec kArchiveExt[] = {Req(Refs("contains_refs", kToFileOrDirectory)), Str("comment")};
constexpr ObjectSpec kArchiveExtSpec{"archive-ext", kArchiveExt};

constexpr PropSpec kAlternateDataStream[] = {Req(Str("name")), Hashes("hashes"), Int("size", 0)};
constexpr ObjectSpec kAlternateDataStreamSpec{"alternate-data-stream-type", kAlternateDataStream};
constexpr PropSpec kNtfsExt[] = {Str("sid"),
                                 Objs("alternate_data_streams", kAlternateDataStreamSpec)};
constexpr ObjectSpec kNtfsExtSpec{"ntfs-ext", kNtfsExt, nullptr, false, true};

constexpr PropSpec kPdfExt[] = {Str("version"), Bool("is_optimized"),
                                Dict("document_info_dict", kNoKeyCheck), Str("pdfid0"),
                                Str("pdfid1")};
constexpr ObjectSpec kPdfExtSpec{"pdf-ext", kPdfExt, CheckPdfExt, false, true};

constexpr PropSpec kRasterImageExt[] = {Int("image_height"), Int("image_width"),
                                        Int("bits_per_pixel"), Dict("exif_tags", kNoKeyCheck)};
constexpr ObjectSpec kRasterImageExtSpec{"raster-image-ext", kRasterImageExt, CheckRasterImageExt,
                                         false, true};

constexpr PropSpec kPeOptionalHeader[] = {Hex("magic_hex"),
                                          Int("major_linker_version"),
                                          Int("minor_linker_version"),
                                          Int("size_of_code", 0),
                                          Int("size_of_initialized_data", 0),
                                          Int("size_of_uninitialized_data", 0),
                                          Int("address_of_entry_point"),
                                          Int("base_of_code"),
                                          Int("base_of_data"),
                                          Int("image_base"),
                                          Int("section_alignment"),
                                          Int("file_alignment"),
                                          Int("major_os_version"),
                                          Int("minor_os_version"),
                                          Int("major_image_version"),
                                          Int("minor_image_version"),
                                          Int("major_subsystem_version"),
                                          Int("minor_subsystem_version"),
                                          Hex("win32_version_value_hex"),
                                          Int("size_of_image", 0),
                                          Int("size_of_headers", 0),
                                          Hex("checksum_hex"),
                                          Hex("subsystem_hex"),
                                          Hex("dll_characteristics_hex"),
                                          Int("size_of_stack_reserve", 0),
                                          Int("size_of_stack_commit", 0),
                                          Int("size_of_heap_reserve", 0),
                                          Int("size_of_heap_commit", 0),
                                          Hex("loader_flags_hex"),
                                          Int("number_of_rva_and_sizes"),
                                          Hashes("hashes")};
constexpr ObjectSpec kPeOptionalHeaderSpec{"windows-pe-optional-header-type", kPeOptionalHeader,
                                           nullptr, false, true};
constexpr PropSpec kPeSection[] = {Req(Str("name")), Int("size", 0), P("entropy", Kind::kNumber),
                                   Hashes("hashes")};
constexpr ObjectSpec kPeSectionSpec{"windows-pe-section-type", kPeSection};
constexpr PropSpec kPeBinaryExt[] = {Req(Ov("pe_type", kWindowsPebinaryTypeOv)),
                                     Str("imphash"),
                                     Hex("machine_hex"),
                                     Int("number_of_sections", 0),
                                     Ts("time_date_stamp", kTsSecondsOnly),
                                     Hex("pointer_to_symbol_table_hex"),
                                     Int("number_of_symbols", 0),
                                     Int("size_of_optional_header", 0),
                                     Hex("characteristics_hex"),
                                     Hashes("file_header_hashes"),
                                     Obj("optional_header", kPeOptionalHeaderSpec),
                                     Objs("sections", kPeSectionSpec)};
constexpr ObjectSpec kPeBinaryExtSpec{"windows-pebinary-ext", kPeBinaryExt, CheckPeBinaryExt};

constexpr ExtensionSpec kFileExtensions[] = {{"archive-ext", &kArchiveExtSpec},
                                             {"ntfs-ext", &kNtfsExtSpec},
                                             {"pdf-ext", &kPdfExtSpec},
                                             {"raster-image-ext", &kRasterImageExtSpec},
                                             {"windows-pebinary-ext", &kPeBinaryExtSpec}};

constexpr PropSpec kFile[] = {Idc(Hashes("hashes")),
                              Int("size", 0),
                              Idc(Str("name")),
                              Str("name_enc"),
                              Hex("magic_number_hex"),
                              Str("mime_type"),
                              Ts("ctime"),
                              Ts("mtime"),
                              Ts("atime"),
                              Idc(Ref("parent_directory_ref", kToDirectory)),
                              Refs("contains_refs", kToSco),
                              Ref("content_ref", kToArtifact)};

constexpr PropSpec kIpv4Addr[] = {Idc(Req(Str("value"))), Refs("resolves_to_refs", kToMacAddr),
                                  Refs("belongs_to_refs", kToAs)};
constexpr PropSpec kIpv6Addr[] = {Idc(Req(Str("value"))), Refs("resolves_to_refs", kToMacAddr),
                                  Refs("belongs_to_refs", kToAs)};
constexpr PropSpec kMacAddr[] = {Idc(Req(Str("value")))};
constexpr PropSpec kMutex[] = {Idc(Req(Str("name")))};

// Network traffic extensions (section 6.12.2).
constexpr PropSpec kHttpRequestExt[] = {
    Req(Str("request_method")), Req(Str("request_value")),
    Str("request_version"),     Dict("request_header", kNoKeyCheck),
    Int("message_body_length"), Ref("message_body_data_ref", kToArtifact)};
constexpr ObjectSpec kHttpRequestExtSpec{"http-request-ext", kHttpRequestExt, CheckHttpRequestExt};
constexpr PropSpec kIcmpExt[] = {Req(Hex("icmp_type_hex")), Req(Hex("icmp_code_hex"))};
constexpr ObjectSpec kIcmpExtSpec{"icmp-ext", kIcmpExt};
constexpr PropSpec kSocketExt[] = {Req(En("address_family", kNetworkSocketAddressFamilyEnum)),
                                   Bool("is_blocking"),
                                   Bool("is_listening"),
                                   Dict("options", kNoKeyCheck),
                                   En("socket_type", kNetworkSocketTypeEnum),
                                   Int("socket_descriptor", 0),
                                   Int("socket_handle")};
constexpr ObjectSpec kSocketExtSpec{"socket-ext", kSocketExt, CheckSocketExt};
constexpr PropSpec kTcpExt[] = {Hex("src_flags_hex"), Hex("dst_flags_hex")};
constexpr ObjectSpec kTcpExtSpec{"tcp-ext", kTcpExt, nullptr, false, true};

constexpr ExtensionSpec kNetworkTrafficExtensions[] = {{"http-request-ext", &kHttpRequestExtSpec},
                                                       {"icmp-ext", &kIcmpExtSpec},
                                                       {"socket-ext", &kSocketExtSpec},
                                                       {"tcp-ext", &kTcpExtSpec}};

constexpr PropSpec kNetworkTraffic[] = {Idc(Ts("start")),
                                        Idc(Ts("end")),
                                        Bool("is_active"),
                                        Idc(Ref("src_ref", kToEndpoint)),
                                        Idc(Ref("dst_ref", kToEndpoint)),
                                        Idc(Int("src_port", 0, 65535)),
                                        Idc(Int("dst_port", 0, 65535)),
                                        Idc(Req(Strs("protocols"))),
                                        Int("src_byte_count", 0),
                                        Int("dst_byte_count", 0),
                                        Int("src_packets", 0),
                                        Int("dst_packets", 0),
                                        Dict("ipfix", kNoKeyCheck),
                                        Ref("src_payload_ref", kToArtifact),
                                        Ref("dst_payload_ref", kToArtifact),
                                        Refs("encapsulates_refs", kToNetworkTraffic),
                                        Ref("encapsulated_by_ref", kToNetworkTraffic)};

// Process extensions (section 6.13.2).
constexpr PropSpec kWindowsProcessExt[] = {Bool("aslr_enabled"),
                                           Bool("dep_enabled"),
                                           Str("priority"),
                                           Str("owner_sid"),
                                           Str("window_title"),
                                           Dict("startup_info", kNoKeyCheck),
                                           En("integrity_level", kWindowsIntegrityLevelEnum)};
constexpr ObjectSpec kWindowsProcessExtSpec{"windows-process-ext", kWindowsProcessExt,
                                            CheckWindowsProcessExt, false, true};
constexpr PropSpec kWindowsServiceExt[] = {Str("service_name"),
                                           Strs("descriptions"),
                                           Str("display_name"),
                                           Str("group_name"),
                                           En("start_type", kWindowsServiceStartTypeEnum),
                                           Refs("service_dll_refs", kToFile),
                                           En("service_type", kWindowsServiceTypeEnum),
                                           En("service_status", kWindowsServiceStatusEnum)};
constexpr ObjectSpec kWindowsServiceExtSpec{"windows-service-ext", kWindowsServiceExt, nullptr,
                                            false, true};
constexpr ExtensionSpec kProcessExtensions[] = {{"windows-process-ext", &kWindowsProcessExtSpec},
                                                {"windows-service-ext", &kWindowsServiceExtSpec}};

constexpr PropSpec kProcess[] = {Bool("is_hidden"),
                                 Int("pid"),
                                 Ts("created_time"),
                                 Str("cwd"),
                                 Str("command_line"),
                                 Dict("environment_variables", kNoKeyCheck),
                                 Refs("opened_connection_refs", kToNetworkTraffic),
                                 Ref("creator_user_ref", kToUserAccount),
                                 Ref("image_ref", kToFile),
                                 Ref("parent_ref", kToProcess),
                                 Refs("child_refs", kToProcess)};

constexpr PropSpec kSoftware[] = {Idc(Req(Str("name"))), Idc(Str("cpe")),    Idc(Str("swid")),
                                  Strs("languages"),     Idc(Str("vendor")), Idc(Str("version"))};

constexpr PropSpec kUrlObj[] = {Idc(Req(Url("value")))};

constexpr PropSpec kUnixAccountExt[] = {Int("gid"), Strs("groups"), Str("home_dir"), Str("shell")};
constexpr ObjectSpec kUnixAccountExtSpec{"unix-account-ext", kUnixAccountExt, nullptr, false, true};
constexpr ExtensionSpec kUserAccountExtensions[] = {{"unix-account-ext", &kUnixAccountExtSpec}};

constexpr PropSpec kUserAccount[] = {
    Idc(Str("user_id")),       Str("credential"),
    Idc(Str("account_login")), Idc(Ov("account_type", kAccountTypeOv)),
    Str("display_name"),       Bool("is_service_account"),
    Bool("is_privileged"),     Bool("can_escalate_privs"),
    Bool("is_disabled"),       Ts("account_created"),
    Ts("account_expires"),     Ts("credential_last_changed"),
    Ts("account_first_login"), Ts("account_last_login")};

constexpr PropSpec kRegistryValue[] = {Str("name"), Str("data"),
                                       En("data_type", kWindowsRegistryDatatypeEnum)};
constexpr ObjectSpec kRegistryValueSpec{"windows-registry-value-type", kRegistryValue, nullptr,
                                        false, true};
constexpr PropSpec kWindowsRegistryKey[] = {
    Idc(Str("key")), Idc(Objs("values", kRegistryValueSpec)), Ts("modified_time"),
    Ref("creator_user_ref", kToUserAccount), Int("number_of_subkeys", 0)};

constexpr PropSpec kX509V3Extensions[] = {Str("basic_constraints"),
                                          Str("name_constraints"),
                                          Str("policy_constraints"),
                                          Str("key_usage"),
                                          Str("extended_key_usage"),
                                          Str("subject_key_identifier"),
                                          Str("authority_key_identifier"),
                                          Str("subject_alternative_name"),
                                          Str("issuer_alternative_name"),
                                          Str("subject_directory_attributes"),
                                          Str("crl_distribution_points"),
                                          Str("inhibit_any_policy"),
                                          Ts("private_key_usage_period_not_before"),
                                          Ts("private_key_usage_period_not_after"),
                                          Str("certificate_policies"),
                                          Str("policy_mappings")};
constexpr ObjectSpec kX509V3ExtensionsSpec{"x509-v3-extensions-type", kX509V3Extensions, nullptr,
                                           false, true};
constexpr PropSpec kX509Certificate[] = {Bool("is_self_signed"),
                                         Idc(Hashes("hashes")),
                                         Str("version"),
                                         Idc(Str("serial_number")),
                                         Str("signature_algorithm"),
                                         Str("issuer"),
                                         Ts("validity_not_before"),
                                         Ts("validity_not_after"),
                                         Str("subject"),
                                         Str("subject_public_key_algorithm"),
                                         Str("subject_public_key_modulus"),
                                         Int("subject_public_key_exponent"),
                                         Obj("x509_v3_extensions", kX509V3ExtensionsSpec)};

// ---------------------------------------------------------------------------
// Object specs.

constexpr ObjectSpec kAttackPatternSpec{"attack-pattern", kAttackPattern};
constexpr ObjectSpec kCampaignSpec{"campaign", kCampaign, CheckSeen};
constexpr ObjectSpec kCourseOfActionSpec{"course-of-action", kCourseOfAction};
constexpr ObjectSpec kGroupingSpec{"grouping", kGrouping};
constexpr ObjectSpec kIdentitySpec{"identity", kIdentity};
constexpr ObjectSpec kIncidentSpec{"incident", kIncident};
constexpr ObjectSpec kIndicatorSpec{"indicator", kIndicator, CheckIndicator};
constexpr ObjectSpec kInfrastructureSpec{"infrastructure", kInfrastructure, CheckSeen};
constexpr ObjectSpec kIntrusionSetSpec{"intrusion-set", kIntrusionSet, CheckSeen};
constexpr ObjectSpec kLocationSpec{"location", kLocation, CheckLocation};
constexpr ObjectSpec kMalwareSpec{"malware", kMalware, CheckMalware};
constexpr ObjectSpec kMalwareAnalysisSpec{"malware-analysis", kMalwareAnalysis,
                                          CheckMalwareAnalysis};
constexpr ObjectSpec kNoteSpec{"note", kNote};
constexpr ObjectSpec kObservedDataSpec{"observed-data", kObservedData, CheckObservedData};
constexpr ObjectSpec kOpinionSpec{"opinion", kOpinion};
constexpr ObjectSpec kReportSpec{"report", kReport};
constexpr ObjectSpec kThreatActorSpec{"threat-actor", kThreatActor, CheckSeen};
constexpr ObjectSpec kToolSpec{"tool", kTool};
constexpr ObjectSpec kVulnerabilitySpec{"vulnerability", kVulnerability};
constexpr ObjectSpec kRelationshipSpec{"relationship", kRelationship, CheckRelationship};
constexpr ObjectSpec kSightingSpec{"sighting", kSighting, CheckSeen};
constexpr ObjectSpec kLanguageContentSpec{"language-content", kLanguageContent,
                                          CheckLanguageContent};
constexpr ObjectSpec kMarkingDefinitionSpec{"marking-definition", kMarkingDefinition,
                                            CheckMarkingDefinition};
constexpr ObjectSpec kExtensionDefinitionSpec{"extension-definition", kExtensionDefinition,
                                              CheckExtensionDefinition};
constexpr ObjectSpec kArtifactSpec{"artifact", kArtifact, CheckArtifact};
constexpr ObjectSpec kAutonomousSystemSpec{"autonomous-system", kAutonomousSystem};
constexpr ObjectSpec kDirectorySpec{"directory", kDirectory, CheckScoValue};
constexpr ObjectSpec kDomainNameSpec{"domain-name", kDomainName, CheckScoValue};
constexpr ObjectSpec kEmailAddrSpec{"email-addr", kEmailAddr, CheckScoValue};
constexpr ObjectSpec kEmailMessageSpec{"email-message", kEmailMessage, CheckEmailMessage};
constexpr ObjectSpec kFileSpec{"file", kFile, CheckFile};
constexpr ObjectSpec kIpv4AddrSpec{"ipv4-addr", kIpv4Addr, CheckScoValue};
constexpr ObjectSpec kIpv6AddrSpec{"ipv6-addr", kIpv6Addr, CheckScoValue};
constexpr ObjectSpec kMacAddrSpec{"mac-addr", kMacAddr, CheckScoValue};
constexpr ObjectSpec kMutexSpec{"mutex", kMutex};
constexpr ObjectSpec kNetworkTrafficSpec{"network-traffic", kNetworkTraffic, CheckNetworkTraffic};
constexpr ObjectSpec kProcessSpec{"process", kProcess, CheckProcess};
constexpr ObjectSpec kSoftwareSpec{"software", kSoftware, CheckSoftware};
constexpr ObjectSpec kUrlSpec{"url", kUrlObj};
constexpr ObjectSpec kUserAccountSpec{"user-account", kUserAccount, CheckNonEmptySco};
constexpr ObjectSpec kWindowsRegistryKeySpec{"windows-registry-key", kWindowsRegistryKey,
                                             CheckWindowsRegistryKey};
constexpr ObjectSpec kX509CertificateSpec{"x509-certificate", kX509Certificate, CheckNonEmptySco};

constexpr ObjectSpec kLanguageContentCommonSpec{"common", kLanguageContentCommon};
constexpr ObjectSpec kMarkingDefinitionCommonSpec{"common", kMarkingDefinitionCommon};
constexpr ObjectSpec kExtensionDefinitionCommonSpec{"common", kExtensionDefinitionCommon};

constexpr TypeSpec kTypes21[] = {
    {"attack-pattern", Category::kSdo, &kAttackPatternSpec, {}},
    {"campaign", Category::kSdo, &kCampaignSpec, {}},
    {"course-of-action", Category::kSdo, &kCourseOfActionSpec, {}},
    {"grouping", Category::kSdo, &kGroupingSpec, {}},
    {"identity", Category::kSdo, &kIdentitySpec, {}},
    {"incident", Category::kSdo, &kIncidentSpec, {}},
    {"indicator", Category::kSdo, &kIndicatorSpec, {}},
    {"infrastructure", Category::kSdo, &kInfrastructureSpec, {}},
    {"intrusion-set", Category::kSdo, &kIntrusionSetSpec, {}},
    {"location", Category::kSdo, &kLocationSpec, {}},
    {"malware", Category::kSdo, &kMalwareSpec, {}},
    {"malware-analysis", Category::kSdo, &kMalwareAnalysisSpec, {}},
    {"note", Category::kSdo, &kNoteSpec, {}},
    {"observed-data", Category::kSdo, &kObservedDataSpec, {}},
    {"opinion", Category::kSdo, &kOpinionSpec, {}},
    {"report", Category::kSdo, &kReportSpec, {}},
    {"threat-actor", Category::kSdo, &kThreatActorSpec, {}},
    {"tool", Category::kSdo, &kToolSpec, {}},
    {"vulnerability", Category::kSdo, &kVulnerabilitySpec, {}},
    {"relationship", Category::kSro, &kRelationshipSpec, {}},
    {"sighting", Category::kSro, &kSightingSpec, {}},
    {"language-content", Category::kMeta, &kLanguageContentSpec, {}, &kLanguageContentCommonSpec},
    {"marking-definition",
     Category::kMeta,
     &kMarkingDefinitionSpec,
     {},
     &kMarkingDefinitionCommonSpec},
    {"extension-definition",
     Category::kMeta,
     &kExtensionDefinitionSpec,
     {},
     &kExtensionDefinitionCommonSpec},
    {"artifact", Category::kSco, &kArtifactSpec, {}},
    {"autonomous-system", Category::kSco, &kAutonomousSystemSpec, {}},
    {"directory", Category::kSco, &kDirectorySpec, {}},
    {"domain-name", Category::kSco, &kDomainNameSpec, {}},
    {"email-addr", Category::kSco, &kEmailAddrSpec, {}},
    {"email-message", Category::kSco, &kEmailMessageSpec, {}},
    {"file", Category::kSco, &kFileSpec, kFileExtensions, nullptr, true},
    {"ipv4-addr", Category::kSco, &kIpv4AddrSpec, {}},
    {"ipv6-addr", Category::kSco, &kIpv6AddrSpec, {}},
    {"mac-addr", Category::kSco, &kMacAddrSpec, {}},
    {"mutex", Category::kSco, &kMutexSpec, {}},
    {"network-traffic", Category::kSco, &kNetworkTrafficSpec, kNetworkTrafficExtensions, nullptr,
     true},
    {"process", Category::kSco, &kProcessSpec, kProcessExtensions},
    {"software", Category::kSco, &kSoftwareSpec, {}},
    {"url", Category::kSco, &kUrlSpec, {}},
    {"user-account", Category::kSco, &kUserAccountSpec, kUserAccountExtensions},
    {"windows-registry-key", Category::kSco, &kWindowsRegistryKeySpec, {}},
    {"x509-certificate", Category::kSco, &kX509CertificateSpec, {}},
};

}  // namespace

// Exported common specs.
const ObjectSpec kCommonSdo21{"common", kCommonSdoProps};
const ObjectSpec kCommonSco21{"common", kCommonScoProps};
const ObjectSpec kExternalReference21{"external-reference", kExternalReferenceProps,
                                      CheckExternalReference};
const ObjectSpec kGranularMarking21{"granular-marking", kGranularMarkingProps,
                                    CheckGranularMarking21};

const TypeSpec* FindType21(std::string_view type) {
  for (const TypeSpec& t : kTypes21) {
    if (t.type == type) return &t;
  }
  // The Incident Core suite's new SDOs (an OASIS committee extension the hub
  // understands as if they were spec types).
  return FindIncidentCoreType(type);
}

bool IsScoType21(std::string_view type) {
  const TypeSpec* t = FindType21(type);
  return t != nullptr && t->category == Category::kSco;
}

}  // namespace kizuna::stix::internal
