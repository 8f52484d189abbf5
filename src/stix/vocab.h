#pragma once
// The STIX open vocabularies (STIX 2.1 section 10, STIX 2.0 Part 1 section 6)
// and the closed enumerations the validator checks values against.
//
// Open vocabularies list suggested values: a value outside one is allowed and
// only draws a warning. Enumerations are closed: a value outside one is an
// error. All data here is static and immutable; thread-safe.

#include <span>
#include <string_view>

namespace kizuna::stix {

struct Vocab {
  std::string_view name;  // the spec's name, e.g. "malware-type-ov"
  std::span<const std::string_view> values;

  // Exact, case-sensitive membership.
  bool Contains(std::string_view value) const;
};

// STIX 2.1 open vocabularies (section 10).
extern const Vocab kAccountTypeOv;
extern const Vocab kAttackMotivationOv;
extern const Vocab kAttackResourceLevelOv;
extern const Vocab kGroupingContextOv;
extern const Vocab kHashAlgorithmOv;
extern const Vocab kIdentityClassOv;
extern const Vocab kImplementationLanguageOv;
extern const Vocab kIndicatorTypeOv;
extern const Vocab kIndustrySectorOv;
extern const Vocab kInfrastructureTypeOv;
extern const Vocab kMalwareCapabilitiesOv;
extern const Vocab kMalwareResultOv;
extern const Vocab kMalwareTypeOv;
extern const Vocab kPatternTypeOv;
extern const Vocab kProcessorArchitectureOv;
extern const Vocab kRegionOv;
extern const Vocab kReportTypeOv;
extern const Vocab kThreatActorRoleOv;
extern const Vocab kThreatActorSophisticationOv;
extern const Vocab kThreatActorTypeOv;
extern const Vocab kToolTypeOv;
extern const Vocab kWindowsPebinaryTypeOv;

// STIX 2.0 open vocabularies that differ from 2.1 (Part 1 section 6).
extern const Vocab kAccountTypeOv20;
extern const Vocab kEncryptionAlgorithmOv20;
extern const Vocab kHashAlgorithmOv20;
extern const Vocab kIdentityClassOv20;
extern const Vocab kIndicatorLabelOv20;
extern const Vocab kIndustrySectorOv20;
extern const Vocab kMalwareLabelOv20;
extern const Vocab kReportLabelOv20;
extern const Vocab kThreatActorLabelOv20;
extern const Vocab kToolLabelOv20;

// Closed enumerations (STIX 2.1 section 10 "-enum").
extern const Vocab kEncryptionAlgorithmEnum;
extern const Vocab kExtensionTypeEnum;
extern const Vocab kNetworkSocketAddressFamilyEnum;
extern const Vocab kNetworkSocketProtocolFamilyEnum20;
extern const Vocab kNetworkSocketTypeEnum;
extern const Vocab kOpinionEnum;
extern const Vocab kWindowsIntegrityLevelEnum;
extern const Vocab kWindowsRegistryDatatypeEnum;
extern const Vocab kWindowsRegistryDatatypeEnum20;
extern const Vocab kWindowsServiceStartTypeEnum;
extern const Vocab kWindowsServiceStatusEnum;
extern const Vocab kWindowsServiceTypeEnum;

// Reference lists used by SHOULD checks (warnings only).
extern const Vocab kPdfDocumentInfoKeys;  // PDF 1.7 section 14.3.3 Table 317
extern const Vocab kHttpRequestHeaders;   // common HTTP request header names
extern const Vocab kIso3166Alpha2;        // ISO 3166-1 alpha-2 country codes

}  // namespace kizuna::stix
