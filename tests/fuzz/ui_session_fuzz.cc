// fuzz-deps: ui
// The dashboard's untrusted inputs before any credential is checked: Cookie
// headers (the session cookie) and sign-in bodies, on arbitrary bytes; and
// a briefing's and the explorer's query strings (briefing.h, explorer.h).
#include <cstddef>
#include <cstdint>
#include <string>

#include "http/target.h"
#include "ui/briefing.h"
#include "ui/explorer.h"
#include "ui/service.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string s(reinterpret_cast<const char*>(data), size);
  kizuna::http::Request r;
  r.headers.push_back({"cookie", s});
  r.headers.push_back({"cookie", s + "; kizuna_session=x"});
  std::string v = kizuna::ui::CookieValue(r, kizuna::ui::kCookie);
  // Found in the second header at the latest, never longer than the input.
  if (v.size() > s.size() + 1) __builtin_trap();
  (void)kizuna::ui::CookieValue(r, kizuna::ui::kSecureCookie);
  auto in = kizuna::ui::ReadSignIn(s);
  if (in.ok() && in->username.size() + in->password.size() > s.size()) __builtin_trap();
  // A briefing's period is 1 hour to 366 days and covers at most 368 days of charts.
  const int64_t now = 1'800'000'000'000'000;
  auto q = kizuna::ui::ReadBriefingQuery(s, now);
  if (q.ok() && (q->since_us > now - 3'600'000'000 || q->days < 1 || q->days > 368 ||
                 (q->lang != "en" && q->lang != "ja") || q->max_tlp == kizuna::stix::Tlp::kNone)) {
    __builtin_trap();
  }
  auto search = kizuna::ui::ReadSearchQuery(s);
  if (search.ok() && (search->days < 1 || search->days > 3660 || search->limit < 1 || search->limit > 500 ||
                      search->text.size() > 200)) {
    __builtin_trap();
  }
  auto pairs = kizuna::http::QueryPairs(s);
  if (pairs.ok()) {
    size_t n = 0;
    for (const auto& [k, v] : *pairs) n += k.size() + v.size();
    if (n > s.size()) __builtin_trap();  // decoding never grows
  }
  return 0;
}
