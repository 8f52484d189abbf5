#include "stix/vocab.h"

#include <string_view>

namespace kizuna::stix {

bool Vocab::Contains(std::string_view value) const {
  for (std::string_view v : values) {
    if (v == value) return true;
  }
  return false;
}

namespace {

using SV = std::string_view;

// STIX 2.1 section 10.
constexpr SV kAccountType[] = {"facebook",       "ldap",   "nis",     "openid", "radius",
                               "skype",          "tacacs", "twitter", "unix",   "windows-local",
                               "windows-domain", "kavi"};
constexpr SV kAttackMotivation[] = {"accidental",    "coercion",
                                    "dominance",     "ideology",
                                    "notoriety",     "organizational-gain",
                                    "personal-gain", "personal-satisfaction",
                                    "revenge",       "unpredictable"};
constexpr SV kAttackResourceLevel[] = {"individual", "club",         "contest",
                                       "team",       "organization", "government"};
constexpr SV kGroupingContext[] = {"suspicious-activity", "malware-analysis", "unspecified"};
constexpr SV kHashAlgorithm[] = {"MD5",      "SHA-1",    "SHA-256", "SHA-512",
                                 "SHA3-256", "SHA3-512", "SSDEEP",  "TLSH"};
constexpr SV kIdentityClass[] = {"individual",   "group", "system",
                                 "organization", "class", "unknown"};
constexpr SV kImplementationLanguage[] = {
    "applescript", "bash",  "c",           "c++",        "c#",           "go",         "java",
    "javascript",  "lua",   "objective-c", "perl",       "php",          "powershell", "python",
    "ruby",        "scala", "swift",       "typescript", "visual-basic", "x86-32",     "x86-64"};
constexpr SV kIndicatorType[] = {"anomalous-activity", "anonymization", "benign", "compromised",
                                 "malicious-activity", "attribution",   "unknown"};
constexpr SV kIndustrySector[] = {"agriculture",
                                  "aerospace",
                                  "automotive",
                                  "chemical",
                                  "commercial",
                                  "communications",
                                  "construction",
                                  "defense",
                                  "education",
                                  "energy",
                                  "entertainment",
                                  "financial-services",
                                  "government",
                                  "emergency-services",
                                  "government-local",
                                  "government-national",
                                  "government-public-services",
                                  "government-regional",
                                  "healthcare",
                                  "hospitality-leisure",
                                  "infrastructure",
                                  "dams",
                                  "nuclear",
                                  "water",
                                  "insurance",
                                  "manufacturing",
                                  "mining",
                                  "non-profit",
                                  "pharmaceuticals",
                                  "retail",
                                  "technology",
                                  "telecommunications",
                                  "transportation",
                                  "utilities"};
constexpr SV kInfrastructureType[] = {"amplification",
                                      "anonymization",
                                      "botnet",
                                      "command-and-control",
                                      "control-system",
                                      "exfiltration",
                                      "firewall",
                                      "hosting-malware",
                                      "hosting-target-lists",
                                      "phishing",
                                      "reconnaissance",
                                      "routers-switches",
                                      "staging",
                                      "workstation",
                                      "unknown"};
constexpr SV kMalwareCapabilities[] = {"accesses-remote-machines",
                                       "anti-debugging",
                                       "anti-disassembly",
                                       "anti-emulation",
                                       "anti-memory-forensics",
                                       "anti-sandbox",
                                       "anti-vm",
                                       "captures-input-peripherals",
                                       "captures-output-peripherals",
                                       "captures-system-state-data",
                                       "cleans-traces-of-infection",
                                       "commits-fraud",
                                       "communicates-with-c2",
                                       "compromises-data-availability",
                                       "compromises-data-integrity",
                                       "compromises-system-availability",
                                       "controls-local-machine",
                                       "degrades-security-software",
                                       "degrades-system-updates",
                                       "determines-c2-server",
                                       "emails-spam",
                                       "escalates-privileges",
                                       "evades-av",
                                       "exfiltrates-data",
                                       "fingerprints-host",
                                       "hides-artifacts",
                                       "hides-executing-code",
                                       "infects-files",
                                       "infects-remote-machines",
                                       "installs-other-components",
                                       "persists-after-system-reboot",
                                       "prevents-artifact-access",
                                       "prevents-artifact-deletion",
                                       "probes-network-environment",
                                       "self-modifies",
                                       "steals-authentication-credentials",
                                       "violates-system-operational-integrity"};
constexpr SV kMalwareResult[] = {"malicious", "suspicious", "benign", "unknown"};
constexpr SV kMalwareType[] = {"adware",
                               "backdoor",
                               "bot",
                               "bootkit",
                               "ddos",
                               "downloader",
                               "dropper",
                               "exploit-kit",
                               "keylogger",
                               "ransomware",
                               "remote-access-trojan",
                               "resource-exploitation",
                               "rogue-security-software",
                               "rootkit",
                               "screen-capture",
                               "spyware",
                               "trojan",
                               "unknown",
                               "virus",
                               "webshell",
                               "wiper",
                               "worm"};
constexpr SV kPatternType[] = {"stix", "pcre", "sigma", "snort", "suricata", "yara"};
constexpr SV kProcessorArchitecture[] = {"alpha",   "arm",   "ia-64", "mips",
                                         "powerpc", "sparc", "x86",   "x86-64"};
constexpr SV kRegion[] = {"africa",
                          "eastern-africa",
                          "middle-africa",
                          "northern-africa",
                          "southern-africa",
                          "western-africa",
                          "americas",
                          "latin-america-caribbean",
                          "south-america",
                          "caribbean",
                          "central-america",
                          "northern-america",
                          "asia",
                          "central-asia",
                          "eastern-asia",
                          "southern-asia",
                          "south-eastern-asia",
                          "western-asia",
                          "europe",
                          "eastern-europe",
                          "northern-europe",
                          "southern-europe",
                          "western-europe",
                          "oceania",
                          "antarctica",
                          "australia-new-zealand",
                          "melanesia",
                          "micronesia",
                          "polynesia"};
constexpr SV kReportType[] = {"attack-pattern", "campaign", "identity",      "indicator",
                              "intrusion-set",  "malware",  "observed-data", "threat-actor",
                              "threat-report",  "tool",     "vulnerability"};
constexpr SV kThreatActorRole[] = {"agent",
                                   "director",
                                   "independent",
                                   "infrastructure-architect",
                                   "infrastructure-operator",
                                   "malware-author",
                                   "sponsor"};
constexpr SV kThreatActorSophistication[] = {"none",   "minimal",   "intermediate", "advanced",
                                             "expert", "innovator", "strategic"};
constexpr SV kThreatActorType[] = {"activist",
                                   "competitor",
                                   "crime-syndicate",
                                   "criminal",
                                   "hacker",
                                   "insider-accidental",
                                   "insider-disgruntled",
                                   "nation-state",
                                   "sensationalist",
                                   "spy",
                                   "terrorist",
                                   "unknown"};
constexpr SV kToolType[] = {
    "denial-of-service",       "exploitation",  "information-gathering",  "network-capture",
    "credential-exploitation", "remote-access", "vulnerability-scanning", "unknown"};
constexpr SV kWindowsPebinaryType[] = {"dll", "exe", "sys"};

// STIX 2.0 Part 1 section 6 and Part 4 (cyber observables) vocabularies.
constexpr SV kAccountType20[] = {"unix",    "windows-local", "windows-domain", "ldap",     "tacacs",
                                 "radius",  "nis",           "openid",         "facebook", "skype",
                                 "twitter", "kavi"};
constexpr SV kHashAlgorithm20[] = {"MD5",      "MD6",      "RIPEMD-160", "SHA-1",    "SHA-224",
                                   "SHA-256",  "SHA-384",  "SHA-512",    "SHA3-224", "SHA3-256",
                                   "SHA3-384", "SHA3-512", "ssdeep",     "WHIRLPOOL"};
constexpr SV kIdentityClass20[] = {"individual", "group", "organization", "class", "unknown"};
constexpr SV kIndicatorLabel20[] = {"anomalous-activity", "anonymization",      "benign",
                                    "compromised",        "malicious-activity", "attribution"};
constexpr SV kIndustrySector20[] = {"agriculture",
                                    "aerospace",
                                    "automotive",
                                    "communications",
                                    "construction",
                                    "defence",
                                    "education",
                                    "energy",
                                    "entertainment",
                                    "financial-services",
                                    "government-national",
                                    "government-regional",
                                    "government-local",
                                    "government-public-services",
                                    "healthcare",
                                    "hospitality-leisure",
                                    "infrastructure",
                                    "insurance",
                                    "manufacturing",
                                    "mining",
                                    "non-profit",
                                    "pharmaceuticals",
                                    "retail",
                                    "technology",
                                    "telecommunications",
                                    "transportation",
                                    "utilities"};
constexpr SV kMalwareLabel20[] = {"adware",
                                  "backdoor",
                                  "bot",
                                  "ddos",
                                  "dropper",
                                  "exploit-kit",
                                  "keylogger",
                                  "ransomware",
                                  "remote-access-trojan",
                                  "resource-exploitation",
                                  "rogue-security-software",
                                  "rootkit",
                                  "screen-capture",
                                  "spyware",
                                  "trojan",
                                  "virus",
                                  "worm"};
constexpr SV kReportLabel20[] = {"threat-report", "attack-pattern", "campaign",      "identity",
                                 "indicator",     "malware",        "observed-data", "threat-actor",
                                 "tool",          "vulnerability"};
constexpr SV kThreatActorLabel20[] = {
    "activist",           "competitor",          "crime-syndicate", "criminal",       "hacker",
    "insider-accidental", "insider-disgruntled", "nation-state",    "sensationalist", "spy",
    "terrorist"};
constexpr SV kToolLabel20[] = {
    "denial-of-service",       "exploitation",  "information-gathering", "network-capture",
    "credential-exploitation", "remote-access", "vulnerability-scanning"};

constexpr SV kEncryptionAlgorithm20[] = {
    "AES128-ECB",        "AES128-CBC",  "AES128-CFB",  "AES128-COFB", "AES128-CTR",
    "AES128-XTS",        "AES128-GCM",  "Salsa20",     "Salsa12",     "Salsa8",
    "ChaCha20-Poly1305", "ChaCha20",    "DES-CBC",     "3DES-CBC",    "DES-ECB",
    "3DES-ECB",          "CAST128-CBC", "CAST256-CBC", "RSA",         "DSA"};

// Enumerations.
constexpr SV kEncryptionAlgorithm[] = {"AES-256-GCM", "ChaCha20-Poly1305", "mime-type-indicated"};
constexpr SV kExtensionType[] = {"new-sdo", "new-sco", "new-sro", "property-extension",
                                 "toplevel-property-extension"};
constexpr SV kAddressFamily[] = {"AF_UNSPEC",  "AF_INET",  "AF_IPX",  "AF_APPLETALK",
                                 "AF_NETBIOS", "AF_INET6", "AF_IRDA", "AF_BTH"};
constexpr SV kProtocolFamily20[] = {
    "PF_INET",     "PF_IPX",    "PF_APPLETALK", "PF_INET6",   "PF_AX25",     "PF_NETROM",
    "PF_BRIDGE",   "PF_ATMPVC", "PF_X25",       "PF_ROSE",    "PF_DECNET",   "PF_NETBEUI",
    "PF_SECURITY", "PF_KEY",    "PF_NETLINK",   "PF_ROUTE",   "PF_PACKET",   "PF_ECONET",
    "PF_ATMSVC",   "PF_IRDA",   "PF_PPPOX",     "PF_WANPIPE", "PF_BLUETOOTH"};
constexpr SV kSocketType[] = {"SOCK_STREAM", "SOCK_DGRAM", "SOCK_RAW", "SOCK_RDM",
                              "SOCK_SEQPACKET"};
constexpr SV kOpinion[] = {"strongly-disagree", "disagree", "neutral", "agree", "strongly-agree"};
constexpr SV kIntegrityLevel[] = {"low", "medium", "high", "system"};
constexpr SV kRegistryDatatype[] = {"REG_NONE",
                                    "REG_SZ",
                                    "REG_EXPAND_SZ",
                                    "REG_BINARY",
                                    "REG_DWORD",
                                    "REG_DWORD_BIG_ENDIAN",
                                    "REG_DWORD_LITTLE_ENDIAN",
                                    "REG_LINK",
                                    "REG_MULTI_SZ",
                                    "REG_RESOURCE_LIST",
                                    "REG_FULL_RESOURCE_DESCRIPTION",
                                    "REG_RESOURCE_REQUIREMENTS_LIST",
                                    "REG_QWORD",
                                    "REG_INVALID_TYPE"};
constexpr SV kRegistryDatatype20[] = {"REG_NONE",
                                      "REG_SZ",
                                      "REG_EXPAND_SZ",
                                      "REG_BINARY",
                                      "REG_DWORD",
                                      "REG_DWORD_BIG_ENDIAN",
                                      "REG_LINK",
                                      "REG_MULTI_SZ",
                                      "REG_RESOURCE_LIST",
                                      "REG_FULL_RESOURCE_DESCRIPTION",
                                      "REG_RESOURCE_REQUIREMENTS_LIST",
                                      "REG_QWORD",
                                      "REG_INVALID_TYPE"};
constexpr SV kServiceStartType[] = {"SERVICE_AUTO_START", "SERVICE_BOOT_START",
                                    "SERVICE_DEMAND_START", "SERVICE_DISABLED",
                                    "SERVICE_SYSTEM_ALERT"};
constexpr SV kServiceStatus[] = {
    "SERVICE_CONTINUE_PENDING", "SERVICE_PAUSE_PENDING", "SERVICE_PAUSED", "SERVICE_RUNNING",
    "SERVICE_START_PENDING",    "SERVICE_STOP_PENDING",  "SERVICE_STOPPED"};
constexpr SV kServiceType[] = {"SERVICE_KERNEL_DRIVER", "SERVICE_FILE_SYSTEM_DRIVER",
                               "SERVICE_WIN32_OWN_PROCESS", "SERVICE_WIN32_SHARE_PROCESS"};

constexpr SV kPdfInfoKeys[] = {"Title",    "Author",       "Subject", "Keywords", "Creator",
                               "Producer", "CreationDate", "ModDate", "Trapped"};
constexpr SV kHttpHeaders[] = {"A-IM",
                               "Accept",
                               "Accept-Charset",
                               "Accept-Datetime",
                               "Accept-Encoding",
                               "Accept-Language",
                               "Access-Control-Request-Headers",
                               "Access-Control-Request-Method",
                               "Authorization",
                               "Cache-Control",
                               "Connection",
                               "Content-Encoding",
                               "Content-Length",
                               "Content-MD5",
                               "Content-Type",
                               "Cookie",
                               "DNT",
                               "Date",
                               "Expect",
                               "Forwarded",
                               "From",
                               "Front-End-Https",
                               "HTTP2-Settings",
                               "Host",
                               "If-Match",
                               "If-Modified-Since",
                               "If-None-Match",
                               "If-Range",
                               "If-Unmodified-Since",
                               "Max-Forwards",
                               "Origin",
                               "Pragma",
                               "Prefer",
                               "Proxy-Authorization",
                               "Proxy-Connection",
                               "Range",
                               "Referer",
                               "Save-Data",
                               "TE",
                               "Trailer",
                               "Transfer-Encoding",
                               "Upgrade",
                               "Upgrade-Insecure-Requests",
                               "User-Agent",
                               "Via",
                               "Warning",
                               "X-ATT-DeviceId",
                               "X-Correlation-ID",
                               "X-Csrf-Token",
                               "X-Forwarded-For",
                               "X-Forwarded-Host",
                               "X-Forwarded-Proto",
                               "X-Http-Method-Override",
                               "X-Request-ID",
                               "X-Requested-With",
                               "X-UIDH",
                               "X-Wap-Profile"};
constexpr SV kCountries[] = {
    "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ",
    "BA", "BB", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS",
    "BT", "BV", "BW", "BY", "BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN",
    "CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM", "DO", "DZ", "EC", "EE",
    "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK", "FM", "FO", "FR", "GA", "GB", "GD", "GE", "GF",
    "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY", "HK", "HM",
    "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT", "JE", "JM",
    "JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC",
    "LI", "LK", "LR", "LS", "LT", "LU", "LV", "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK",
    "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS", "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA",
    "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU", "NZ", "OM", "PA", "PE", "PF", "PG",
    "PH", "PK", "PL", "PM", "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS", "RU", "RW",
    "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS",
    "ST", "SV", "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO",
    "TR", "TT", "TV", "TW", "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI",
    "VN", "VU", "WF", "WS", "YE", "YT", "ZA", "ZM", "ZW", "EU", "UK", "XK"};

}  // namespace

const Vocab kAccountTypeOv{"account-type-ov", kAccountType};
const Vocab kAttackMotivationOv{"attack-motivation-ov", kAttackMotivation};
const Vocab kAttackResourceLevelOv{"attack-resource-level-ov", kAttackResourceLevel};
const Vocab kGroupingContextOv{"grouping-context-ov", kGroupingContext};
const Vocab kHashAlgorithmOv{"hash-algorithm-ov", kHashAlgorithm};
const Vocab kIdentityClassOv{"identity-class-ov", kIdentityClass};
const Vocab kImplementationLanguageOv{"implementation-language-ov", kImplementationLanguage};
const Vocab kIndicatorTypeOv{"indicator-type-ov", kIndicatorType};
const Vocab kIndustrySectorOv{"industry-sector-ov", kIndustrySector};
const Vocab kInfrastructureTypeOv{"infrastructure-type-ov", kInfrastructureType};
const Vocab kMalwareCapabilitiesOv{"malware-capabilities-ov", kMalwareCapabilities};
const Vocab kMalwareResultOv{"malware-result-ov", kMalwareResult};
const Vocab kMalwareTypeOv{"malware-type-ov", kMalwareType};
const Vocab kPatternTypeOv{"pattern-type-ov", kPatternType};
const Vocab kProcessorArchitectureOv{"processor-architecture-ov", kProcessorArchitecture};
const Vocab kRegionOv{"region-ov", kRegion};
const Vocab kReportTypeOv{"report-type-ov", kReportType};
const Vocab kThreatActorRoleOv{"threat-actor-role-ov", kThreatActorRole};
const Vocab kThreatActorSophisticationOv{"threat-actor-sophistication-ov",
                                         kThreatActorSophistication};
const Vocab kThreatActorTypeOv{"threat-actor-type-ov", kThreatActorType};
const Vocab kToolTypeOv{"tool-type-ov", kToolType};
const Vocab kWindowsPebinaryTypeOv{"windows-pebinary-type-ov", kWindowsPebinaryType};

const Vocab kAccountTypeOv20{"account-type-ov", kAccountType20};
const Vocab kHashAlgorithmOv20{"hash-algorithm-ov", kHashAlgorithm20};
const Vocab kIdentityClassOv20{"identity-class-ov", kIdentityClass20};
const Vocab kIndicatorLabelOv20{"indicator-label-ov", kIndicatorLabel20};
const Vocab kIndustrySectorOv20{"industry-sector-ov", kIndustrySector20};
const Vocab kMalwareLabelOv20{"malware-label-ov", kMalwareLabel20};
const Vocab kReportLabelOv20{"report-label-ov", kReportLabel20};
const Vocab kThreatActorLabelOv20{"threat-actor-label-ov", kThreatActorLabel20};
const Vocab kToolLabelOv20{"tool-label-ov", kToolLabel20};

const Vocab kEncryptionAlgorithmOv20{"encryption-algorithm-ov", kEncryptionAlgorithm20};
const Vocab kEncryptionAlgorithmEnum{"encryption-algorithm-enum", kEncryptionAlgorithm};
const Vocab kExtensionTypeEnum{"extension-type-enum", kExtensionType};
const Vocab kNetworkSocketAddressFamilyEnum{"network-socket-address-family-enum", kAddressFamily};
const Vocab kNetworkSocketProtocolFamilyEnum20{"network-socket-protocol-family-enum",
                                               kProtocolFamily20};
const Vocab kNetworkSocketTypeEnum{"network-socket-type-enum", kSocketType};
const Vocab kOpinionEnum{"opinion-enum", kOpinion};
const Vocab kWindowsIntegrityLevelEnum{"windows-integrity-level-enum", kIntegrityLevel};
const Vocab kWindowsRegistryDatatypeEnum{"windows-registry-datatype-enum", kRegistryDatatype};
const Vocab kWindowsRegistryDatatypeEnum20{"windows-registry-datatype-enum", kRegistryDatatype20};
const Vocab kWindowsServiceStartTypeEnum{"windows-service-start-type-enum", kServiceStartType};
const Vocab kWindowsServiceStatusEnum{"windows-service-status-enum", kServiceStatus};
const Vocab kWindowsServiceTypeEnum{"windows-service-type-enum", kServiceType};

const Vocab kPdfDocumentInfoKeys{"pdf-document-information-keys", kPdfInfoKeys};
const Vocab kHttpRequestHeaders{"http-request-headers", kHttpHeaders};
const Vocab kIso3166Alpha2{"iso-3166-1-alpha-2", kCountries};

}  // namespace kizuna::stix
