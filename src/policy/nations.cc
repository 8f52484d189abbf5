#include "policy/nations.h"

namespace kizuna::policy {
namespace {

// The 249 officially assigned codes (ISO 3166-1, as published by the
// Debian iso-codes package), concatenated in sorted order.
constexpr std::string_view kCodes =
    "ADAEAFAGAIALAMAOAQARASATAUAWAXAZBABBBDBEBFBGBHBIBJBLBMBNBOBQBRBSBTBVBWBYBZCACCCD"
    "CFCGCHCICKCLCMCNCOCRCUCVCWCXCYCZDEDJDKDMDODZECEEEGEHERESETFIFJFKFMFOFRGAGBGDGEGF"
    "GGGHGIGLGMGNGPGQGRGSGTGUGWGYHKHMHNHRHTHUIDIEILIMINIOIQIRISITJEJMJOJPKEKGKHKIKMKN"
    "KPKRKWKYKZLALBLCLILKLRLSLTLULVLYMAMCMDMEMFMGMHMKMLMMMNMOMPMQMRMSMTMUMVMWMXMYMZNA"
    "NCNENFNGNINLNONPNRNUNZOMPAPEPFPGPHPKPLPMPNPRPSPTPWPYQARERORSRURWSASBSCSDSESGSHSI"
    "SJSKSLSMSNSOSRSSSTSVSXSYSZTCTDTFTGTHTJTKTLTMTNTOTRTTTVTWTZUAUGUMUSUYUZVAVCVEVGVI"
    "VNVUWFWSYEYTZAZMZW";

}  // namespace

bool IsIso3166Alpha2(std::string_view code) {
  if (code.size() != 2) return false;
  for (size_t i = 0; i + 1 < kCodes.size(); i += 2) {
    if (kCodes[i] == code[0] && kCodes[i + 1] == code[1]) return true;
  }
  return false;
}

}  // namespace kizuna::policy
