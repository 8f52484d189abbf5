// STIX 2.0 type tables (OASIS STIX Version 2.0, Part 1 sections 2-4, Part 2
// sections 2-4, Part 4 sections 2-3), for content without spec_version such
// as MITRE ATT&CK Enterprise.

#include <boost/json.hpp>

#include "stix/spec.h"

namespace kizuna::stix::internal {
namespace {

namespace json = boost::json;
using SV = std::string_view;
using namespace build;  // NOLINT: table builders

constexpr PropSpec Hashes20(SV n, uint16_t f = 0) { return P(n, Kind::kHashes, f); }
constexpr PropSpec Labels(const Vocab& v) {
  PropSpec p = Req(Ovs("labels", v));
  return p;
}

constexpr SV kIdentityT[] = {"identity"};
constexpr SV kMarkingT[] = {"marking-definition"};
constexpr SV kObservedDataT[] = {"observed-data"};
constexpr SV kFileT[] = {"file"};
constexpr SV kFileDirT[] = {"file", "directory"};
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
constexpr SV kBodyRawT[] = {"artifact", "file"};

constexpr RefTarget kToIdentity{kIdentityT, 0, "an identity"};
constexpr RefTarget kToMarking{kMarkingT, 0, "a marking-definition"};
constexpr RefTarget kToObservedData{kObservedDataT, 0, "an observed-data object"};
constexpr RefTarget kToAny{{}, kRefAny, "a STIX object"};
constexpr RefTarget kToSdo{{}, kRefSdo | kRefCustom, "an SDO"};
constexpr RefTarget kToFile{kFileT, 0, "a file object"};
constexpr RefTarget kToFileOrDirectory{kFileDirT, 0, "a file or directory object"};
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
constexpr RefTarget kToBodyRaw{kBodyRawT, 0, "an artifact or file object"};
constexpr RefTarget kToObservable{{}, kRefSco | kRefCustom, "a cyber observable"};

// Part 1 section 2.5 (external reference), 4.3 (granular marking), 3.1
// (common properties).
constexpr PropSpec kExternalReferenceProps[] = {Req(Str("source_name")), Str("description"),
                                                Url("url"), Hashes20("hashes"), Str("external_id")};
constexpr PropSpec kGranularMarkingProps[] = {Req(P("selectors", Kind::kStringList)),
                                              Req(Ref("marking_ref", kToMarking))};

constexpr PropSpec kCommonSdoProps[] = {
    Req(Str("type")),
    Req(Str("id")),
    Ref("created_by_ref", kToIdentity),
    Req(Ts("created")),
    Req(Ts("modified")),
    Bool("revoked"),
    Strs("labels"),
    Objs("external_references", kExternalReference20),
    Refs("object_marking_refs", kToMarking),
    Objs("granular_markings", kGranularMarking20),
};

// Part 2: SDOs.
constexpr PropSpec kAttackPattern[] = {Req(Str("name")), Str("description"),
                                       Kcp("kill_chain_phases")};
constexpr PropSpec kCampaign[] = {Req(Str("name")), Str("description"), Strs("aliases"),
                                  Ts("first_seen"), Ts("last_seen"),    Str("objective")};
constexpr PropSpec kCourseOfAction[] = {Req(Str("name")), Str("description")};
constexpr PropSpec kIdentity[] = {Req(Str("name")), Str("description"),
                                  Req(Ov("identity_class", kIdentityClassOv20)),
                                  Ovs("sectors", kIndustrySectorOv20), Str("contact_information")};
constexpr PropSpec kIndicator[] = {
    Labels(kIndicatorLabelOv20), Str("name"),       Str("description"),      Req(Str("pattern")),
    Req(Ts("valid_from")),       Ts("valid_until"), Kcp("kill_chain_phases")};
constexpr PropSpec kIntrusionSet[] = {Req(Str("name")),
                                      Str("description"),
                                      Strs("aliases"),
                                      Ts("first_seen"),
                                      Ts("last_seen"),
                                      Strs("goals"),
                                      Ov("resource_level", kAttackResourceLevelOv),
                                      Ov("primary_motivation", kAttackMotivationOv),
                                      Ovs("secondary_motivations", kAttackMotivationOv)};
constexpr PropSpec kMalware[] = {Labels(kMalwareLabelOv20), Req(Str("name")), Str("description"),
                                 Kcp("kill_chain_phases")};
constexpr PropSpec kObservedData[] = {Req(Ts("first_observed")), Req(Ts("last_observed")),
                                      Req(Int("number_observed", 1, 999999999)),
                                      Req(P("objects", Kind::kAny))};
constexpr PropSpec kReport[] = {Labels(kReportLabelOv20), Req(Str("name")), Str("description"),
                                Req(Ts("published")), Req(Refs("object_refs", kToAny))};
constexpr PropSpec kThreatActor[] = {Labels(kThreatActorLabelOv20),
                                     Req(Str("name")),
                                     Str("description"),
                                     Strs("aliases"),
                                     Ovs("roles", kThreatActorRoleOv),
                                     Strs("goals"),
                                     Ov("sophistication", kThreatActorSophisticationOv),
                                     Ov("resource_level", kAttackResourceLevelOv),
                                     Ov("primary_motivation", kAttackMotivationOv),
                                     Ovs("secondary_motivations", kAttackMotivationOv),
                                     Ovs("personal_motivations", kAttackMotivationOv)};
constexpr PropSpec kTool[] = {Labels(kToolLabelOv20), Req(Str("name")), Str("description"),
                              Kcp("kill_chain_phases"), Str("tool_version")};
constexpr PropSpec kVulnerability[] = {Req(Str("name")), Str("description")};

// Part 2 section 4: SROs. STIX 2.0 relationships join SDOs.
constexpr RefTarget kToRelated{{}, kRefSdo | kRefCustom, "an SDO"};
constexpr PropSpec kRelationship[] = {Req(Str("relationship_type")), Str("description"),
                                      Req(Ref("source_ref", kToRelated)),
                                      Req(Ref("target_ref", kToRelated))};
constexpr PropSpec kSighting[] = {Ts("first_seen"),
                                  Ts("last_seen"),
                                  Int("count", 0, 999999999),
                                  Req(Ref("sighting_of_ref", kToSdo)),
                                  Refs("observed_data_refs", kToObservedData),
                                  Refs("where_sighted_refs", kToIdentity),
                                  Bool("summary")};

// Part 1 section 4.1: marking definitions.
constexpr PropSpec kMarkingDefinitionCommon[] = {
    Req(Str("type")),
    Req(Str("id")),
    Ref("created_by_ref", kToIdentity),
    Req(Ts("created")),
    Objs("external_references", kExternalReference20),
    Refs("object_marking_refs", kToMarking),
    Objs("granular_markings", kGranularMarking20),
};
constexpr PropSpec kMarkingDefinition[] = {Str("definition_type"), P("definition", Kind::kAny)};

// Part 4: cyber observables, keyed inside observed-data.
constexpr PropSpec kArtifact[] = {Str("mime_type"), P("payload_bin", Kind::kBinary), Url("url"),
                                  Hashes20("hashes")};
constexpr PropSpec kAutonomousSystem[] = {Req(Int("number")), Str("name"), Str("rir")};
constexpr PropSpec kDirectory[] = {Req(Str("path")), Str("path_enc"),
                                   Ts("created"),    Ts("modified"),
                                   Ts("accessed"),   Refs("contains_refs", kToFileOrDirectory)};
constexpr PropSpec kDomainName[] = {Req(Str("value")), Refs("resolves_to_refs", kToResolvable)};
constexpr PropSpec kEmailAddr[] = {Req(Str("value")), Str("display_name"),
                                   Ref("belongs_to_ref", kToUserAccount)};
constexpr PropSpec kMimePart[] = {Str("body"), Ref("body_raw_ref", kToBodyRaw), Str("content_type"),
                                  Str("content_disposition")};
constexpr ObjectSpec kMimePartSpec{"mime-part-type", kMimePart, CheckMimePart};
constexpr PropSpec kEmailMessage[] = {Req(Bool("is_multipart")),
                                      Ts("date"),
                                      Str("content_type"),
                                      Ref("from_ref", kToEmailAddr),
                                      Ref("sender_ref", kToEmailAddr),
                                      Refs("to_refs", kToEmailAddr),
                                      Refs("cc_refs", kToEmailAddr),
                                      Refs("bcc_refs", kToEmailAddr),
                                      Str("subject"),
                                      Strs("received_lines"),
                                      Dict("additional_header_fields", kNoKeyCheck),
                                      Str("body"),
                                      Objs("body_multipart", kMimePartSpec),
                                      Ref("raw_email_ref", kToArtifact)};

// Part 4 section 2.7.2.1: an archive contains files.
constexpr PropSpec kArchiveExt[] = {Req(Refs("contains_refs", kToFile)), Str("version"),
                                    Str("comment")};
constexpr ObjectSpec kArchiveExtSpec{"archive-ext", kArchiveExt};
constexpr PropSpec kAlternateDataStream[] = {Req(Str("name")), Hashes20("hashes"), Int("size", 0)};
constexpr ObjectSpec kAlternateDataStreamSpec{"alternate-data-stream-type", kAlternateDataStream};
constexpr PropSpec kNtfsExt[] = {Str("sid"),
                                 Objs("alternate_data_streams", kAlternateDataStreamSpec)};
constexpr ObjectSpec kNtfsExtSpec{"ntfs-ext", kNtfsExt, nullptr, false, true};
constexpr PropSpec kPdfExt[] = {Str("version"), Bool("is_optimized"),
                                Dict("document_info_dict", kNoKeyCheck), Str("pdfid0"),
                                Str("pdfid1")};
constexpr ObjectSpec kPdfExtSpec{"pdf-ext", kPdfExt, CheckPdfExt, false, true};
constexpr PropSpec kRasterImageExt[] = {Int("image_height"), Int("image_width"),
                                        Int("bits_per_pixel"), Str("image_compression_algorithm"),
                                        Dict("exif_tags", kNoKeyCheck)};
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
                                          Hashes20("hashes")};
constexpr ObjectSpec kPeOptionalHeaderSpec{"windows-pe-optional-header-type", kPeOptionalHeader,
                                           nullptr, false, true};
constexpr PropSpec kPeSection[] = {Req(Str("name")), Int("size", 0), P("entropy", Kind::kNumber),
                                   Hashes20("hashes")};
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
                                     Hashes20("file_header_hashes"),
                                     Obj("optional_header", kPeOptionalHeaderSpec),
                                     Objs("sections", kPeSectionSpec)};
constexpr ObjectSpec kPeBinaryExtSpec{"windows-pebinary-ext", kPeBinaryExt, CheckPeBinaryExt};
constexpr ExtensionSpec kFileExtensions[] = {{"archive-ext", &kArchiveExtSpec},
                                             {"ntfs-ext", &kNtfsExtSpec},
                                             {"pdf-ext", &kPdfExtSpec},
                                             {"raster-image-ext", &kRasterImageExtSpec},
                                             {"windows-pebinary-ext", &kPeBinaryExtSpec}};
constexpr PropSpec kFile[] = {Hashes20("hashes"),
                              Int("size", 0),
                              Str("name"),
                              Str("name_enc"),
                              Hex("magic_number_hex"),
                              Str("mime_type"),
                              Ts("created"),
                              Ts("modified"),
                              Ts("accessed"),
                              Ref("parent_directory_ref", kToDirectory),
                              Bool("is_encrypted"),
                              Ov("encryption_algorithm", kEncryptionAlgorithmOv20),
                              Str("decryption_key"),
                              Refs("contains_refs", kToObservable),
                              Ref("content_ref", kToArtifact)};
constexpr PropSpec kIpv4Addr[] = {Req(Str("value")), Refs("resolves_to_refs", kToMacAddr),
                                  Refs("belongs_to_refs", kToAs)};
constexpr PropSpec kIpv6Addr[] = {Req(Str("value")), Refs("resolves_to_refs", kToMacAddr),
                                  Refs("belongs_to_refs", kToAs)};
constexpr PropSpec kMacAddr[] = {Req(Str("value"))};
constexpr PropSpec kMutex[] = {Req(Str("name"))};

constexpr PropSpec kHttpRequestExt[] = {
    Req(Str("request_method")), Req(Str("request_value")),
    Str("request_version"),     Dict("request_header", kNoKeyCheck),
    Int("message_body_length"), Ref("message_body_data_ref", kToArtifact)};
constexpr ObjectSpec kHttpRequestExtSpec{"http-request-ext", kHttpRequestExt,
                                         CheckHttpRequestExt20};
constexpr PropSpec kIcmpExt[] = {Req(Hex("icmp_type_hex")), Req(Hex("icmp_code_hex"))};
constexpr ObjectSpec kIcmpExtSpec{"icmp-ext", kIcmpExt};
constexpr PropSpec kSocketExt[] = {Req(En("address_family", kNetworkSocketAddressFamilyEnum)),
                                   Bool("is_blocking"),
                                   Bool("is_listening"),
                                   En("protocol_family", kNetworkSocketProtocolFamilyEnum20),
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
constexpr PropSpec kNetworkTraffic[] = {Ts("start"),
                                        Ts("end"),
                                        Bool("is_active"),
                                        Ref("src_ref", kToEndpoint),
                                        Ref("dst_ref", kToEndpoint),
                                        Int("src_port", 0, 65535),
                                        Int("dst_port", 0, 65535),
                                        Req(Strs("protocols")),
                                        Int("src_byte_count", 0),
                                        Int("dst_byte_count", 0),
                                        Int("src_packets", 0),
                                        Int("dst_packets", 0),
                                        Dict("ipfix", kNoKeyCheck),
                                        Ref("src_payload_ref", kToArtifact),
                                        Ref("dst_payload_ref", kToArtifact),
                                        Refs("encapsulates_refs", kToNetworkTraffic),
                                        Ref("encapsulated_by_ref", kToNetworkTraffic)};

constexpr PropSpec kWindowsProcessExt[] = {Bool("aslr_enabled"), Bool("dep_enabled"),
                                           Str("priority"),      Str("owner_sid"),
                                           Str("window_title"),  Dict("startup_info", kNoKeyCheck)};
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
                                 Str("name"),
                                 Ts("created"),
                                 Str("cwd"),
                                 Strs("arguments"),
                                 Str("command_line"),
                                 Dict("environment_variables", kNoKeyCheck),
                                 Refs("opened_connection_refs", kToNetworkTraffic),
                                 Ref("creator_user_ref", kToUserAccount),
                                 Ref("binary_ref", kToFile),
                                 Ref("parent_ref", kToProcess),
                                 Refs("child_refs", kToProcess)};
constexpr PropSpec kSoftware[] = {Req(Str("name")), Str("cpe"), Strs("languages"), Str("vendor"),
                                  Str("version")};
constexpr PropSpec kUrlObj[] = {Req(Url("value"))};
constexpr PropSpec kUnixAccountExt[] = {Int("gid"), Strs("groups"), Str("home_dir"), Str("shell")};
constexpr ObjectSpec kUnixAccountExtSpec{"unix-account-ext", kUnixAccountExt, nullptr, false, true};
constexpr ExtensionSpec kUserAccountExtensions[] = {{"unix-account-ext", &kUnixAccountExtSpec}};
constexpr PropSpec kUserAccount[] = {
    Req(Str("user_id")),        Str("account_login"),        Ov("account_type", kAccountTypeOv20),
    Str("display_name"),        Bool("is_service_account"),  Bool("is_privileged"),
    Bool("can_escalate_privs"), Bool("is_disabled"),         Ts("account_created"),
    Ts("account_expires"),      Ts("password_last_changed"), Ts("account_first_login"),
    Ts("account_last_login")};
constexpr PropSpec kRegistryValue[] = {Req(Str("name")), Str("data"),
                                       En("data_type", kWindowsRegistryDatatypeEnum20)};
constexpr ObjectSpec kRegistryValueSpec{"windows-registry-value-type", kRegistryValue};
constexpr PropSpec kWindowsRegistryKey[] = {Req(Str("key")), Objs("values", kRegistryValueSpec),
                                            Ts("modified"), Ref("creator_user_ref", kToUserAccount),
                                            Int("number_of_subkeys", 0)};
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
                                         Hashes20("hashes"),
                                         Str("version"),
                                         Str("serial_number"),
                                         Str("signature_algorithm"),
                                         Str("issuer"),
                                         Ts("validity_not_before"),
                                         Ts("validity_not_after"),
                                         Str("subject"),
                                         Str("subject_public_key_algorithm"),
                                         Str("subject_public_key_modulus"),
                                         Int("subject_public_key_exponent"),
                                         Obj("x509_v3_extensions", kX509V3ExtensionsSpec)};

void CheckProcess20(Ctx& ctx, const json::object& o) {
  // Part 4 section 2.14: at least one property besides type.
  if (o.size() <= 1) ctx.Error("at-least-one", "a process needs at least one property");
}

void CheckX509Certificate20(Ctx& ctx, const json::object& o) {
  if (o.size() <= 1) ctx.Error("at-least-one", "a certificate needs at least one property");
}

constexpr ObjectSpec kAttackPatternSpec{"attack-pattern", kAttackPattern};
constexpr ObjectSpec kCampaignSpec{"campaign", kCampaign, CheckSeen};
constexpr ObjectSpec kCourseOfActionSpec{"course-of-action", kCourseOfAction};
constexpr ObjectSpec kIdentitySpec{"identity", kIdentity};
constexpr ObjectSpec kIndicatorSpec{"indicator", kIndicator, CheckIndicator};
constexpr ObjectSpec kIntrusionSetSpec{"intrusion-set", kIntrusionSet, CheckSeen};
constexpr ObjectSpec kMalwareSpec{"malware", kMalware};
constexpr ObjectSpec kObservedDataSpec{"observed-data", kObservedData, CheckObservedData20};
constexpr ObjectSpec kReportSpec{"report", kReport};
constexpr ObjectSpec kThreatActorSpec{"threat-actor", kThreatActor};
constexpr ObjectSpec kToolSpec{"tool", kTool};
constexpr ObjectSpec kVulnerabilitySpec{"vulnerability", kVulnerability};
constexpr ObjectSpec kRelationshipSpec{"relationship", kRelationship, CheckRelationship};
constexpr ObjectSpec kSightingSpec{"sighting", kSighting, CheckSeen};
constexpr ObjectSpec kMarkingDefinitionSpec{"marking-definition", kMarkingDefinition,
                                            CheckMarkingDefinition};
constexpr ObjectSpec kMarkingDefinitionCommonSpec{"common", kMarkingDefinitionCommon};

constexpr ObjectSpec kArtifactSpec{"artifact", kArtifact, CheckArtifact20};
constexpr ObjectSpec kAutonomousSystemSpec{"autonomous-system", kAutonomousSystem};
constexpr ObjectSpec kDirectorySpec{"directory", kDirectory, CheckScoValue};
constexpr ObjectSpec kDomainNameSpec{"domain-name", kDomainName, CheckScoValue};
constexpr ObjectSpec kEmailAddrSpec{"email-addr", kEmailAddr, CheckScoValue};
constexpr ObjectSpec kEmailMessageSpec{"email-message", kEmailMessage, CheckEmailMessage};
constexpr ObjectSpec kFileSpec{"file", kFile, CheckFile20};
constexpr ObjectSpec kIpv4AddrSpec{"ipv4-addr", kIpv4Addr, CheckScoValue};
constexpr ObjectSpec kIpv6AddrSpec{"ipv6-addr", kIpv6Addr, CheckScoValue};
constexpr ObjectSpec kMacAddrSpec{"mac-addr", kMacAddr, CheckScoValue};
constexpr ObjectSpec kMutexSpec{"mutex", kMutex};
constexpr ObjectSpec kNetworkTrafficSpec{"network-traffic", kNetworkTraffic, CheckNetworkTraffic};
constexpr ObjectSpec kProcessSpec{"process", kProcess, CheckProcess20};
constexpr ObjectSpec kSoftwareSpec{"software", kSoftware, CheckSoftware};
constexpr ObjectSpec kUrlSpec{"url", kUrlObj};
constexpr ObjectSpec kUserAccountSpec{"user-account", kUserAccount};
constexpr ObjectSpec kWindowsRegistryKeySpec{"windows-registry-key", kWindowsRegistryKey,
                                             CheckWindowsRegistryKey20};
constexpr ObjectSpec kX509CertificateSpec{"x509-certificate", kX509Certificate,
                                          CheckX509Certificate20};

constexpr TypeSpec kTypes20[] = {
    {"attack-pattern", Category::kSdo, &kAttackPatternSpec, {}},
    {"campaign", Category::kSdo, &kCampaignSpec, {}},
    {"course-of-action", Category::kSdo, &kCourseOfActionSpec, {}},
    {"identity", Category::kSdo, &kIdentitySpec, {}},
    {"indicator", Category::kSdo, &kIndicatorSpec, {}},
    {"intrusion-set", Category::kSdo, &kIntrusionSetSpec, {}},
    {"malware", Category::kSdo, &kMalwareSpec, {}},
    {"observed-data", Category::kSdo, &kObservedDataSpec, {}},
    {"report", Category::kSdo, &kReportSpec, {}},
    {"threat-actor", Category::kSdo, &kThreatActorSpec, {}},
    {"tool", Category::kSdo, &kToolSpec, {}},
    {"vulnerability", Category::kSdo, &kVulnerabilitySpec, {}},
    {"relationship", Category::kSro, &kRelationshipSpec, {}},
    {"sighting", Category::kSro, &kSightingSpec, {}},
    {"marking-definition",
     Category::kMeta,
     &kMarkingDefinitionSpec,
     {},
     &kMarkingDefinitionCommonSpec},
};

constexpr TypeSpec kObservables20[] = {
    {"artifact", Category::kSco, &kArtifactSpec, {}},
    {"autonomous-system", Category::kSco, &kAutonomousSystemSpec, {}},
    {"directory", Category::kSco, &kDirectorySpec, {}},
    {"domain-name", Category::kSco, &kDomainNameSpec, {}},
    {"email-addr", Category::kSco, &kEmailAddrSpec, {}},
    {"email-message", Category::kSco, &kEmailMessageSpec, {}},
    {"file", Category::kSco, &kFileSpec, kFileExtensions},
    {"ipv4-addr", Category::kSco, &kIpv4AddrSpec, {}},
    {"ipv6-addr", Category::kSco, &kIpv6AddrSpec, {}},
    {"mac-addr", Category::kSco, &kMacAddrSpec, {}},
    {"mutex", Category::kSco, &kMutexSpec, {}},
    {"network-traffic", Category::kSco, &kNetworkTrafficSpec, kNetworkTrafficExtensions},
    {"process", Category::kSco, &kProcessSpec, kProcessExtensions},
    {"software", Category::kSco, &kSoftwareSpec, {}},
    {"url", Category::kSco, &kUrlSpec, {}},
    {"user-account", Category::kSco, &kUserAccountSpec, kUserAccountExtensions},
    {"windows-registry-key", Category::kSco, &kWindowsRegistryKeySpec, {}},
    {"x509-certificate", Category::kSco, &kX509CertificateSpec, {}},
};

}  // namespace

const ObjectSpec kCommonSdo20{"common", kCommonSdoProps};
const ObjectSpec kExternalReference20{"external-reference", kExternalReferenceProps,
                                      CheckExternalReference};
const ObjectSpec kGranularMarking20{"granular-marking", kGranularMarkingProps};

const TypeSpec* FindType20(std::string_view type) {
  for (const TypeSpec& t : kTypes20) {
    if (t.type == type) return &t;
  }
  return nullptr;
}

const TypeSpec* FindObservable20(std::string_view type) {
  for (const TypeSpec& t : kObservables20) {
    if (t.type == type) return &t;
  }
  return nullptr;
}

}  // namespace kizuna::stix::internal
