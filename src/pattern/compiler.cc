#include "pattern/compiler.h"

#include <optional>

#include "pattern/ip.h"
#include "pattern/sco_schema.h"

namespace kizuna::pattern {

std::string_view IndexKindName(IndexKind k) {
  switch (k) {
    case IndexKind::kExact:
      return "exact";
    case IndexKind::kAddress:
      return "address";
    case IndexKind::kCidr:
      return "cidr";
    case IndexKind::kHash:
      return "hash";
  }
  return "?";
}

bool CompiledPattern::FullyIndexed() const {
  for (const Disjunct& d : disjuncts) {
    if (d.kind != DisjunctKind::kExact) return false;
  }
  return !disjuncts.empty();
}

namespace {

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

class Compiler {
 public:
  explicit Compiler(const Pattern& p) : p_(p) { Number(p.root()); }

  CompiledPattern Run() {
    std::vector<const ObservationExpr*> branches;
    const ObservationExpr& root = p_.root();
    if (root.kind == ObsOp::kOr && root.qualifiers.empty()) {
      for (const ObservationExpr* c : root.children) branches.push_back(c);
    } else {
      branches.push_back(&root);
    }
    for (const ObservationExpr* b : branches) {
      uint32_t d = static_cast<uint32_t>(out_.disjuncts.size());
      Disjunct disjunct;
      disjunct.expr = b;
      std::vector<IndexEntry> entries;
      bool exact = true;
      if (Necessary(*b, &entries, &exact)) {
        disjunct.kind = exact ? DisjunctKind::kExact : DisjunctKind::kIndexed;
        for (IndexEntry& e : entries) {
          e.disjunct = d;
          out_.entries.push_back(std::move(e));
        }
      } else {
        disjunct.kind = DisjunctKind::kScan;
      }
      out_.disjuncts.push_back(disjunct);
    }
    return std::move(out_);
  }

 private:
  void Number(const ObservationExpr& e) {
    if (e.kind == ObsOp::kObservation) {
      numbers_.emplace_back(&e, static_cast<uint32_t>(numbers_.size()));
      return;
    }
    for (const ObservationExpr* c : e.children) Number(*c);
  }
  uint32_t NumberOf(const ObservationExpr* e) const {
    for (const auto& [node, n] : numbers_) {
      if (node == e) return n;
    }
    return 0;
  }

  // Entries one of which must hit whenever `e` matches. *exact stays true
  // only if a hit on any entry also proves the match. False when `e` has no
  // such entries.
  bool Necessary(const ObservationExpr& e, std::vector<IndexEntry>* out, bool* exact) {
    if (!e.qualifiers.empty()) *exact = false;
    switch (e.kind) {
      case ObsOp::kObservation:
        return CompNecessary(*e.comparison, NumberOf(&e), out, exact);
      case ObsOp::kGroup:
        return Necessary(*e.children[0], out, exact);
      case ObsOp::kOr:
        for (const ObservationExpr* c : e.children) {
          if (!Necessary(*c, out, exact)) return false;
        }
        return true;
      case ObsOp::kAnd:
      case ObsOp::kFollowedBy: {
        // Several observations are needed: entries of one of them are
        // necessary, never sufficient. Take the child with the fewest.
        *exact = false;
        std::optional<std::vector<IndexEntry>> best;
        for (const ObservationExpr* c : e.children) {
          std::vector<IndexEntry> mine;
          bool ignored = false;
          if (Necessary(*c, &mine, &ignored) && (!best || mine.size() < best->size())) {
            best = std::move(mine);
          }
        }
        if (!best) return false;
        for (IndexEntry& x : *best) out->push_back(std::move(x));
        return true;
      }
    }
    return false;
  }

  bool CompNecessary(const ComparisonExpr& e, uint32_t obs, std::vector<IndexEntry>* out,
                     bool* exact) {
    switch (e.kind) {
      case BoolOp::kTest:
        return Simple(*e.test, obs, out, exact);
      case BoolOp::kOr:
        for (const ComparisonExpr* c : e.children) {
          if (!CompNecessary(*c, obs, out, exact)) return false;
        }
        return true;
      case BoolOp::kAnd: {
        // All must hold for one object: any one child's entries are
        // necessary; prefer the most selective (fewest entries).
        *exact = false;
        std::optional<std::vector<IndexEntry>> best;
        for (const ComparisonExpr* c : e.children) {
          std::vector<IndexEntry> mine;
          bool ignored = false;
          if (CompNecessary(*c, obs, &mine, &ignored) && (!best || mine.size() < best->size())) {
            best = std::move(mine);
          }
        }
        if (!best) return false;
        for (IndexEntry& x : *best) out->push_back(std::move(x));
        return true;
      }
    }
    return false;
  }

  // A simple comparison: non-negated =, IN or ISSUBSET with string constants
  // on a path of property names and [*] steps.
  bool Simple(const Comparison& c, uint32_t obs, std::vector<IndexEntry>* out, bool* exact) {
    if (c.negated) return false;
    if (c.op != Operator::kEqual && c.op != Operator::kIn && c.op != Operator::kIsSubset) {
      return false;
    }
    std::vector<std::string> path;
    bool follows_refs = false;
    for (size_t i = 0; i < c.path.steps.size(); ++i) {
      const PathStep& s = c.path.steps[i];
      if (s.kind == StepKind::kIndex) return false;
      path.push_back(s.kind == StepKind::kAnyIndex ? "*" : std::string(s.key));
      if (s.kind == StepKind::kKey && i + 1 < c.path.steps.size() &&
          (EndsWith(s.key, "_ref") || EndsWith(s.key, "_refs"))) {
        follows_refs = true;
      }
    }
    // Following references needs the object graph, and the type of the
    // object reached decides address semantics: a hit is only a candidate.
    if (follows_refs) *exact = false;
    std::string_view type = c.path.object_type;
    bool address_value = !follows_refs && path.size() == 1 && path[0] == "value" &&
                         (type == "ipv4-addr" || type == "ipv6-addr");
    bool hash = path.size() >= 2 && EndsWith(path[path.size() - 2], "hashes") &&
                FindHashFormat(path.back()) != nullptr;

    auto add = [&](const Constant& k) -> bool {
      if (k.type != ConstantType::kString) return false;
      IndexEntry e;
      e.object_type = std::string(type);
      e.path = path;
      e.observation = obs;
      if (c.op == Operator::kIsSubset) {
        std::optional<IpNetwork> net = ParseIpNetwork(k.bytes);
        if (!net) return false;
        e.kind = IndexKind::kCidr;
        e.value = net->ToString();
      } else if (address_value && ParseIpNetwork(k.bytes)) {
        e.kind = IndexKind::kAddress;
        e.value = ParseIpNetwork(k.bytes)->ToString();
      } else if (hash) {
        e.kind = IndexKind::kHash;
        e.algorithm = path.back();
        e.value = std::string(k.bytes);
      } else {
        e.kind = IndexKind::kExact;
        e.value = std::string(k.bytes);
      }
      out->push_back(std::move(e));
      return true;
    };
    if (c.op == Operator::kIn) {
      if (c.set.empty()) return false;
      size_t mark = out->size();
      for (const Constant& k : c.set) {
        if (!add(k)) {
          out->resize(mark);
          return false;
        }
      }
      return true;
    }
    return add(c.value);
  }

  const Pattern& p_;
  std::vector<std::pair<const ObservationExpr*, uint32_t>> numbers_;
  CompiledPattern out_;
};

}  // namespace

CompiledPattern CompileForIndex(const Pattern& pattern) { return Compiler(pattern).Run(); }

}  // namespace kizuna::pattern
