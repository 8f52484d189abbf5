#include "pattern/sco_schema.h"

#include <algorithm>
#include <array>

namespace kizuna::pattern {

namespace {

using T = PropertyType;

// STIX 2.1 §6.1 .. §6.18 (property tables). Entries marked "2.0" are STIX 2.0
// Part 4 names kept so that 2.0 patterns validate; FindProperty hides them
// under 2.1 only when they were removed (see kRemovedIn21).
constexpr PropertyDef kArtifact[] = {{"mime_type", T::kString},
                                     {"payload_bin", T::kBinary},
                                     {"url", T::kString},
                                     {"hashes", T::kHashes},
                                     {"encryption_algorithm", T::kString},
                                     {"decryption_key", T::kString}};
constexpr PropertyDef kAutonomousSystem[] = {
    {"number", T::kInteger}, {"name", T::kString}, {"rir", T::kString}};
constexpr PropertyDef kDirectory[] = {
    {"path", T::kString},       {"path_enc", T::kString},    {"ctime", T::kTimestamp},
    {"mtime", T::kTimestamp},   {"atime", T::kTimestamp},    {"contains_refs", T::kRefList},
    {"created", T::kTimestamp}, {"modified", T::kTimestamp}, {"accessed", T::kTimestamp}};
constexpr PropertyDef kDomainName[] = {{"value", T::kString}, {"resolves_to_refs", T::kRefList}};
constexpr PropertyDef kEmailAddr[] = {
    {"value", T::kString}, {"display_name", T::kString}, {"belongs_to_ref", T::kRef}};
constexpr PropertyDef kEmailMessage[] = {{"is_multipart", T::kBoolean},
                                         {"date", T::kTimestamp},
                                         {"content_type", T::kString},
                                         {"from_ref", T::kRef},
                                         {"sender_ref", T::kRef},
                                         {"to_refs", T::kRefList},
                                         {"cc_refs", T::kRefList},
                                         {"bcc_refs", T::kRefList},
                                         {"message_id", T::kString},
                                         {"subject", T::kString},
                                         {"received_lines", T::kStringList},
                                         {"additional_header_fields", T::kDictionary},
                                         {"body", T::kString},
                                         {"body_multipart", T::kObjectList},
                                         {"raw_email_ref", T::kRef}};
constexpr PropertyDef kFile[] = {{"hashes", T::kHashes},
                                 {"size", T::kInteger},
                                 {"name", T::kString},
                                 {"name_enc", T::kString},
                                 {"magic_number_hex", T::kHex},
                                 {"mime_type", T::kString},
                                 {"ctime", T::kTimestamp},
                                 {"mtime", T::kTimestamp},
                                 {"atime", T::kTimestamp},
                                 {"parent_directory_ref", T::kRef},
                                 {"contains_refs", T::kRefList},
                                 {"content_ref", T::kRef},
                                 // STIX 2.0 names.
                                 {"created", T::kTimestamp},
                                 {"modified", T::kTimestamp},
                                 {"accessed", T::kTimestamp},
                                 {"is_encrypted", T::kBoolean},
                                 {"encryption_algorithm", T::kString},
                                 {"decryption_key", T::kString}};
constexpr PropertyDef kAddr[] = {
    {"value", T::kString}, {"resolves_to_refs", T::kRefList}, {"belongs_to_refs", T::kRefList}};
constexpr PropertyDef kMacAddr[] = {{"value", T::kString}};
constexpr PropertyDef kMutex[] = {{"name", T::kString}};
constexpr PropertyDef kNetworkTraffic[] = {{"start", T::kTimestamp},
                                           {"end", T::kTimestamp},
                                           {"is_active", T::kBoolean},
                                           {"src_ref", T::kRef},
                                           {"dst_ref", T::kRef},
                                           {"src_port", T::kInteger},
                                           {"dst_port", T::kInteger},
                                           {"protocols", T::kStringList},
                                           {"src_byte_count", T::kInteger},
                                           {"dst_byte_count", T::kInteger},
                                           {"src_packets", T::kInteger},
                                           {"dst_packets", T::kInteger},
                                           {"ipfix", T::kDictionary},
                                           {"src_payload_ref", T::kRef},
                                           {"dst_payload_ref", T::kRef},
                                           {"encapsulates_refs", T::kRefList},
                                           {"encapsulated_by_ref", T::kRef}};
constexpr PropertyDef kProcess[] = {{"is_hidden", T::kBoolean},
                                    {"pid", T::kInteger},
                                    {"created_time", T::kTimestamp},
                                    {"cwd", T::kString},
                                    {"command_line", T::kString},
                                    {"environment_variables", T::kDictionary},
                                    {"opened_connection_refs", T::kRefList},
                                    {"creator_user_ref", T::kRef},
                                    {"image_ref", T::kRef},
                                    {"parent_ref", T::kRef},
                                    {"child_refs", T::kRefList},
                                    // STIX 2.0 names.
                                    {"name", T::kString},
                                    {"arguments", T::kStringList},
                                    {"created", T::kTimestamp},
                                    {"binary_ref", T::kRef}};
constexpr PropertyDef kSoftware[] = {{"name", T::kString},   {"cpe", T::kString},
                                     {"swid", T::kString},   {"languages", T::kStringList},
                                     {"vendor", T::kString}, {"version", T::kString}};
constexpr PropertyDef kUrl[] = {{"value", T::kString}};
constexpr PropertyDef kUserAccount[] = {{"user_id", T::kString},
                                        {"credential", T::kString},
                                        {"account_login", T::kString},
                                        {"account_type", T::kString},
                                        {"display_name", T::kString},
                                        {"is_service_account", T::kBoolean},
                                        {"is_privileged", T::kBoolean},
                                        {"can_escalate_privs", T::kBoolean},
                                        {"is_disabled", T::kBoolean},
                                        {"account_created", T::kTimestamp},
                                        {"account_expires", T::kTimestamp},
                                        {"credential_last_changed", T::kTimestamp},
                                        {"account_first_login", T::kTimestamp},
                                        {"account_last_login", T::kTimestamp},
                                        // STIX 2.0 name.
                                        {"password_last_changed", T::kTimestamp}};
constexpr PropertyDef kRegistryKey[] = {{"key", T::kString},
                                        {"values", T::kObjectList},
                                        {"modified_time", T::kTimestamp},
                                        {"creator_user_ref", T::kRef},
                                        {"number_of_subkeys", T::kInteger},
                                        // STIX 2.0 names.
                                        {"modified", T::kTimestamp}};
constexpr PropertyDef kX509[] = {{"is_self_signed", T::kBoolean},
                                 {"hashes", T::kHashes},
                                 {"version", T::kString},
                                 {"serial_number", T::kString},
                                 {"signature_algorithm", T::kString},
                                 {"issuer", T::kString},
                                 {"validity_not_before", T::kTimestamp},
                                 {"validity_not_after", T::kTimestamp},
                                 {"subject", T::kString},
                                 {"subject_public_key_algorithm", T::kString},
                                 {"subject_public_key_modulus", T::kString},
                                 {"subject_public_key_exponent", T::kInteger},
                                 {"x509_v3_extensions", T::kObject}};

constexpr ScoDef kScos[] = {
    {"artifact", kArtifact, false},
    {"autonomous-system", kAutonomousSystem, false},
    {"directory", kDirectory, false},
    {"domain-name", kDomainName, false},
    {"email-addr", kEmailAddr, false},
    {"email-message", kEmailMessage, false},
    {"file", kFile, false},
    {"ipv4-addr", kAddr, false},
    {"ipv6-addr", kAddr, false},
    {"mac-addr", kMacAddr, false},
    {"mutex", kMutex, false},
    {"network-traffic", kNetworkTraffic, false},
    {"process", kProcess, false},
    {"software", kSoftware, false},
    {"url", kUrl, false},
    {"user-account", kUserAccount, false},
    {"windows-registry-key", kRegistryKey, false},
    {"x509-certificate", kX509, false},
};

// STIX 2.1 §3.x common properties of every SCO.
constexpr PropertyDef kCommon[] = {{"type", T::kString},
                                   {"id", T::kString},
                                   {"spec_version", T::kString},
                                   {"object_marking_refs", T::kRefList},
                                   {"granular_markings", T::kObjectList},
                                   {"defanged", T::kBoolean},
                                   {"extensions", T::kExtensions}};

// STIX 2.0 Part 4 property names that STIX 2.1 renamed or removed.
struct Removed {
  std::string_view type, name;
};
constexpr Removed kRemovedIn21[] = {{"file", "created"},
                                    {"file", "modified"},
                                    {"file", "accessed"},
                                    {"file", "is_encrypted"},
                                    {"file", "encryption_algorithm"},
                                    {"file", "decryption_key"},
                                    {"directory", "created"},
                                    {"directory", "modified"},
                                    {"directory", "accessed"},
                                    {"process", "name"},
                                    {"process", "arguments"},
                                    {"process", "created"},
                                    {"process", "binary_ref"},
                                    {"user-account", "password_last_changed"},
                                    {"windows-registry-key", "modified"}};

// Predefined extensions (STIX 2.1 §6.x.2).
struct ExtDef {
  std::string_view sco, name;
  std::span<const PropertyDef> properties;
};
constexpr PropertyDef kArchiveExt[] = {
    {"contains_refs", T::kRefList}, {"comment", T::kString}, {"version", T::kString}};
constexpr PropertyDef kNtfsExt[] = {{"sid", T::kString},
                                    {"alternate_data_streams", T::kObjectList}};
constexpr PropertyDef kPdfExt[] = {{"version", T::kString},
                                   {"is_optimized", T::kBoolean},
                                   {"document_info_dict", T::kDictionary},
                                   {"pdfid0", T::kString},
                                   {"pdfid1", T::kString}};
constexpr PropertyDef kRasterExt[] = {{"image_height", T::kInteger},
                                      {"image_width", T::kInteger},
                                      {"bits_per_pixel", T::kInteger},
                                      {"exif_tags", T::kDictionary},
                                      {"image_compression_algorithm", T::kString}};
constexpr PropertyDef kPeExt[] = {{"pe_type", T::kString},
                                  {"imphash", T::kString},
                                  {"machine_hex", T::kHex},
                                  {"number_of_sections", T::kInteger},
                                  {"time_date_stamp", T::kTimestamp},
                                  {"pointer_to_symbol_table_hex", T::kHex},
                                  {"number_of_symbols", T::kInteger},
                                  {"size_of_optional_header", T::kInteger},
                                  {"characteristics_hex", T::kHex},
                                  {"file_header_hashes", T::kHashes},
                                  {"optional_header", T::kObject},
                                  {"sections", T::kObjectList}};
constexpr PropertyDef kHttpExt[] = {
    {"request_method", T::kString},       {"request_value", T::kString},
    {"request_version", T::kString},      {"request_header", T::kDictionary},
    {"message_body_length", T::kInteger}, {"message_body_data_ref", T::kRef}};
constexpr PropertyDef kIcmpExt[] = {{"icmp_type_hex", T::kHex}, {"icmp_code_hex", T::kHex}};
constexpr PropertyDef kSocketExt[] = {
    {"address_family", T::kString}, {"is_blocking", T::kBoolean},
    {"is_listening", T::kBoolean},  {"options", T::kDictionary},
    {"socket_type", T::kString},    {"socket_descriptor", T::kInteger},
    {"socket_handle", T::kInteger}, {"protocol_family", T::kString}};
constexpr PropertyDef kTcpExt[] = {{"src_flags_hex", T::kHex}, {"dst_flags_hex", T::kHex}};
constexpr PropertyDef kWinProcessExt[] = {
    {"aslr_enabled", T::kBoolean},  {"dep_enabled", T::kBoolean}, {"priority", T::kString},
    {"owner_sid", T::kString},      {"window_title", T::kString}, {"startup_info", T::kDictionary},
    {"integrity_level", T::kString}};
constexpr PropertyDef kWinServiceExt[] = {
    {"service_name", T::kString}, {"descriptions", T::kStringList},
    {"display_name", T::kString}, {"group_name", T::kString},
    {"start_type", T::kString},   {"service_dll_refs", T::kRefList},
    {"service_type", T::kString}, {"service_status", T::kString}};
constexpr PropertyDef kUnixAccountExt[] = {{"gid", T::kInteger},
                                           {"groups", T::kStringList},
                                           {"home_dir", T::kString},
                                           {"shell", T::kString}};
constexpr ExtDef kExtensions[] = {
    {"file", "archive-ext", kArchiveExt},
    {"file", "ntfs-ext", kNtfsExt},
    {"file", "pdf-ext", kPdfExt},
    {"file", "raster-image-ext", kRasterExt},
    {"file", "windows-pebinary-ext", kPeExt},
    {"network-traffic", "http-request-ext", kHttpExt},
    {"network-traffic", "icmp-ext", kIcmpExt},
    {"network-traffic", "socket-ext", kSocketExt},
    {"network-traffic", "tcp-ext", kTcpExt},
    {"process", "windows-process-ext", kWinProcessExt},
    {"process", "windows-service-ext", kWinServiceExt},
    {"user-account", "unix-account-ext", kUnixAccountExt},
};

// STIX 2.1 §10.2 hash-algorithm-ov, plus the 2.0 names.
constexpr HashFormat kHashes[] = {
    {"MD5", 32},      {"SHA-1", 40},     {"SHA-224", 56},    {"SHA-256", 64},
    {"SHA-384", 96},  {"SHA-512", 128},  {"SHA3-224", 56},   {"SHA3-256", 64},
    {"SHA3-384", 96}, {"SHA3-512", 128}, {"RIPEMD-160", 40}, {"WHIRLPOOL", 128},
};

bool SameHashName(std::string_view key, std::string_view canonical) {
  size_t i = 0, j = 0;
  while (true) {
    while (i < key.size() && (key[i] == '-' || key[i] == '_')) ++i;
    while (j < canonical.size() && canonical[j] == '-') ++j;
    if (i == key.size() || j == canonical.size()) return i == key.size() && j == canonical.size();
    char a = key[i], b = canonical[j];
    if (a >= 'a' && a <= 'z') a = static_cast<char>(a - 'a' + 'A');
    if (a != b) return false;
    ++i;
    ++j;
  }
}

}  // namespace

const ScoDef* FindSco(std::string_view type, SpecVersion) {
  // kScos is sorted by type name.
  auto it = std::lower_bound(std::begin(kScos), std::end(kScos), type,
                             [](const ScoDef& d, std::string_view t) { return d.type < t; });
  return it != std::end(kScos) && it->type == type ? &*it : nullptr;
}

const PropertyDef* FindProperty(const ScoDef& sco, std::string_view name, SpecVersion version) {
  const PropertyDef* found = nullptr;
  for (const PropertyDef& p : sco.properties) {
    if (p.name == name) {
      found = &p;
      break;
    }
  }
  if (found == nullptr) {
    for (const PropertyDef& p : kCommon) {
      if (p.name == name) return &p;
    }
    return nullptr;
  }
  if (version == SpecVersion::k21) {
    for (const Removed& r : kRemovedIn21) {
      if (r.name == name && r.type == sco.type) return nullptr;
    }
  }
  return found;
}

std::span<const PropertyDef> FindExtension(std::string_view sco_type, std::string_view ext) {
  for (const ExtDef& e : kExtensions) {
    if (e.sco == sco_type && e.name == ext) return e.properties;
  }
  return {};
}

const HashFormat* FindHashFormat(std::string_view key) {
  for (const HashFormat& h : kHashes) {
    if (h.name == key) return &h;  // the usual spelling
  }
  for (const HashFormat& h : kHashes) {
    if (SameHashName(key, h.name)) return &h;
  }
  return nullptr;
}

}  // namespace kizuna::pattern
