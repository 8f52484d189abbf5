// fuzz-deps: coord
// The coordination API's request bodies (every reader of coord/requests.h)
// and task update notes (coord/task_fold.h) on arbitrary bytes: each answers
// a value or a clear error, never a crash; what a reader accepts builds an
// object that parses back as JSON with the values it was given.
#include <boost/json.hpp>
#include <cstddef>
#include <cstdint>
#include <string>

#include "coord/requests.h"
#include "coord/task_fold.h"
#include "stix/object.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace kizuna::coord;
  std::string s(reinterpret_cast<const char*>(data), size);
  Author by{"identity--a1000000-0000-4000-8000-000000000001", "fuzz@hub", 1'700'000'000'000'000};
  if (auto r = ReadOpenRequest(s); r.ok()) {
    Release rel{{std::string(MarkingIdForName(r->marking))}, {}, r->audience_accounts};
    auto v = kizuna::stix::ParseJson(BuildIncident(*r, rel, by, "incident--00000000-0000-4000-8000-000000000001"));
    if (!v.ok() || v->as_object().at("name").as_string() != r->name) __builtin_trap();
  }
  (void)ReadUpdateRequest(s);
  if (auto r = ReadTaskRequest(s); r.ok()) {
    auto v = kizuna::stix::ParseJson(BuildTask(*r, {}, by, "task--00000000-0000-4000-8000-000000000001",
                                               "incident--00000000-0000-4000-8000-000000000001",
                                               by.organization, ""));
    if (!v.ok()) __builtin_trap();
  }
  if (auto r = ReadTaskUpdateRequest(s); r.ok()) {
    auto v = kizuna::stix::ParseJson(BuildTaskUpdateNote(
        *r, {}, by, "note--00000000-0000-4000-8000-000000000001",
        "task--00000000-0000-4000-8000-000000000001", "incident--00000000-0000-4000-8000-000000000001"));
    if (!v.ok() || !ReadTaskUpdate(v->as_object()).ok()) __builtin_trap();
  }
  (void)ReadEventRequest(s);
  (void)ReadLinkRequest(s);
  (void)ReadNoteRequest(s);
  if (auto r = ReadImpactRequest(s); r.ok()) {
    // The details a reader accepts are an object, kept in the category's extension.
    auto v = kizuna::stix::ParseJson(BuildImpact(*r, {}, by, "impact--00000000-0000-4000-8000-000000000001"));
    if (!v.ok() || !v->as_object().at("extensions").as_object().contains(r->category)) __builtin_trap();
    auto next = BuildSupersededImpact(v->as_object(), by, "impact--00000000-0000-4000-8000-000000000002",
                                      "2023-11-14T22:13:20Z");
    if (!next.ok() || !kizuna::stix::ParseJson(*next).ok()) __builtin_trap();
  }
  if (auto r = ReadOpinionRequest(s); r.ok()) {
    auto v = kizuna::stix::ParseJson(BuildOpinion(*r, {}, by, "opinion--00000000-0000-4000-8000-000000000001",
                                                  "incident--00000000-0000-4000-8000-000000000001"));
    if (!v.ok() || v->as_object().at("opinion").as_string() != r->opinion) __builtin_trap();
  }
  if (auto v = kizuna::stix::ParseJson(s); v.ok() && v->is_object()) {
    (void)ReadTaskUpdate(v->as_object());
    (void)ReadTaskCoordination(v->as_object());
    (void)FoldTask(v->as_object(), {}, 0);
  }
  return 0;
}
