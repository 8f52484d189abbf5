// A briefing as one self-contained HTML page: inline style (the response's
// CSP allows it by hash), charts as inline SVG with their numbers in tables,
// no script, no external resource; printable on A4 (headless Chromium makes
// the PDF). Terms follow docs/glossary.md.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>
#include <string_view>

#include "core/time.h"
#include "ui/briefing_page.h"

namespace kizuna::ui {

namespace {

constexpr int64_t kHourUs = 3'600'000'000;

struct Text {
  const char* key;
  const char* en;
  const char* ja;
};

// Every string of the page, in both languages (one table: a key cannot be
// missing in either).
constexpr Text kText[] = {
    {"title", "Situation briefing", "状況ブリーフィング"},
    {"subtitle", "Cross-border cyber cooperation", "国境を越えたサイバー協力"},
    {"period", "Period", "対象期間"},
    {"last", "last {since}", "過去 {since}"},
    {"unit.h", "{n} hours", "{n} 時間"},
    {"unit.d", "{n} days", "{n} 日"},
    {"unit.w", "{n} weeks", "{n} 週間"},
    {"generated", "Generated", "作成日時"},
    {"hub", "Hub", "ハブ"},
    {"reader", "Prepared for account", "閲覧アカウント"},
    {"cap", "This briefing contains nothing marked above {tlp}: every number, chart and item was read "
            "with that ceiling, as this account sees it.",
     "このブリーフィングには {tlp} を超えるマーキングの情報は含まれません。数値・グラフ・項目はすべて、"
     "このアカウントが閲覧できる範囲で、この上限を適用して集計しています。"},
    {"headline", "Headline numbers", "主要な数値"},
    {"newIntel", "New intelligence", "新着インテリジェンス"},
    {"indicators", "New indicators", "新着の侵害指標 (IoC)"},
    {"sightings", "New sightings", "新着の観測 (サイティング)"},
    {"openIncidents", "Open incidents", "対応中のインシデント"},
    {"guidance", "New guidance", "新着のガイダンス"},
    {"byDay", "New intelligence per day, by TLP", "日別の新着インテリジェンス（TLP 別）"},
    {"byNation", "By nation of the producer", "作成組織の国別"},
    {"byType", "By type", "種別"},
    {"day", "Day (UTC)", "日付 (UTC)"},
    {"count", "Count", "件数"},
    {"nation", "Nation", "国"},
    {"type", "Type", "種別"},
    {"total", "Total", "合計"},
    {"topIncidents", "Top incidents", "主要なインシデント"},
    {"topSighted", "Most sighted indicators", "観測の多い侵害指標 (IoC)"},
    {"indicator", "Indicator", "侵害指標 (IoC)"},
    {"sightingCount", "Sightings", "観測数"},
    {"noIncidents", "No open incident at or below this level.", "この上限以下の対応中インシデントはありません。"},
    {"name", "Name", "名称"},
    {"priority", "Priority", "優先度"},
    {"owner", "Owner", "所有組織"},
    {"sectors", "Sectors", "セクター"},
    {"nations", "Nations", "国"},
    {"tasks", "Tasks", "タスク"},
    {"modified", "Last change", "最終更新"},
    {"newGuidance", "New guidance", "新着のガイダンス"},
    {"noGuidance", "No new guidance in this period.", "この期間の新着ガイダンスはありません。"},
    {"producer", "From", "作成組織"},
    {"translated", "translated", "翻訳"},
    {"more", "{count} more in this period.", "この期間に他 {count} 件。"},
    {"nation.US", "United States", "アメリカ合衆国"},
    {"nation.JP", "Japan", "日本"},
    {"nation.other", "Other or unknown", "その他・不明"},
    {"priority.baseline", "baseline", "基準"},
    {"priority.low", "low", "低"},
    {"priority.medium", "medium", "中"},
    {"priority.high", "high", "高"},
    {"priority.severe", "severe", "重大"},
    {"priority.emergency", "emergency", "緊急"},
    {"type.course-of-action", "course of action", "対処措置"},
    {"type.report", "report", "レポート"},
    {"noData", "Nothing in this period.", "この期間の情報はありません。"},
};

class Page {
 public:
  explicit Page(const BriefingData& d) : d_(d), ja_(d.lang == "ja") {}

  std::string T(std::string_view key) const {
    for (const Text& t : kText) {
      if (key == t.key) return ja_ ? t.ja : t.en;
    }
    return std::string(key);  // a missing key shows as itself (a test looks for none)
  }
  std::string T(std::string_view key, std::string_view name, std::string_view value) const {
    std::string s = T(key);
    std::string slot(1, '{');
    slot.append(name);
    slot.push_back('}');
    if (size_t at = s.find(slot); at != std::string::npos) s.replace(at, slot.size(), value);
    return s;
  }

  std::string Render();

 private:
  void Header();
  void Headline();
  void Charts();
  void Incidents();
  void Guidance();
  void Tlp(std::string_view name);  // a TLP label

  std::string Num(int64_t n) const {
    std::string digits = std::to_string(n < 0 ? -n : n), out;
    for (size_t i = 0; i < digits.size(); ++i) {
      if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
      out.push_back(digits[i]);
    }
    return n < 0 ? "-" + out : out;
  }
  // UTC and JST together ("2026-12-07 13:00 UTC / 22:00 JST").
  std::string When(int64_t us) const {
    const std::string utc = FormatTimestamp(us, 0);
    const std::string jst = FormatTimestamp(us + 9 * kHourUs, 0);
    return utc.substr(0, 10) + " " + utc.substr(11, 5) + " UTC / " +
           (jst.substr(0, 10) == utc.substr(0, 10) ? "" : jst.substr(5, 5) + " ") + jst.substr(11, 5) + " JST";
  }
  std::string NationName(const std::string& code) const {
    if (code == "US" || code == "JP") return T("nation." + code);
    if (code.empty()) return T("nation.other");
    return code;
  }
  void Esc(std::string_view s) {
    for (char c : s) {
      switch (c) {
        case '&': out_ += "&amp;"; break;
        case '<': out_ += "&lt;"; break;
        case '>': out_ += "&gt;"; break;
        case '"': out_ += "&quot;"; break;
        case '\'': out_ += "&#39;"; break;
        default: out_.push_back(c);
      }
    }
  }
  int64_t TypeCount(std::string_view type) const {
    for (const auto& [t, n] : d_.by_type)
      if (t == type) return n;
    return 0;
  }

  const BriefingData& d_;
  const bool ja_;
  std::string out_;
};

// A coordinate with one decimal.
std::string Fixed(double v) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, 1);
  return ec == std::errc() ? std::string(buf, end) : std::string("0");
}

// TLP 2.0's colours (FIRST), for the chart.
const char* TlpColour(std::string_view name) {
  if (name == "TLP:RED") return "#ff2b2b";
  if (name == "TLP:AMBER" || name == "TLP:AMBER+STRICT") return "#ffc000";
  if (name == "TLP:GREEN") return "#33ff00";
  return "#ffffff";
}

constexpr const char* kStyle =
    "@page{size:A4;margin:14mm}"
    "body{font-family:'Noto Sans CJK JP','Noto Sans JP','Noto Sans',sans-serif;color:#1b1f24;"
    "margin:0 auto;max-width:190mm;font-size:10.5pt;line-height:1.45}"
    "h1{font-size:20pt;margin:0}h2{font-size:13pt;border-bottom:2px solid #1b1f24;margin:18px 0 8px;"
    "break-after:avoid}"
    ".sub{color:#4b5563;margin:2px 0 10px}"
    ".tlp{display:inline-block;background:#000;font-weight:700;padding:1px 6px;border-radius:3px;"
    "font-size:9pt;white-space:nowrap}"
    ".banner{display:flex;justify-content:space-between;align-items:center;margin:0 0 10px}"
    ".meta{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:8px 0}"
    ".meta dt{color:#4b5563}.meta dd{margin:0}"
    ".cap{border-left:4px solid #1b1f24;padding:4px 10px;background:#f3f4f6}"
    ".tiles{display:grid;grid-template-columns:repeat(5,1fr);gap:8px}"
    ".tile{border:1px solid #d1d5db;border-radius:6px;padding:8px}"
    ".tile b{display:block;font-size:18pt}.tile span{color:#4b5563;font-size:9pt}"
    "table{border-collapse:collapse;width:100%;margin:6px 0;font-size:9.5pt}"
    "th,td{border-bottom:1px solid #e5e7eb;padding:3px 6px;text-align:left;vertical-align:top}"
    "td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}"
    "tr{break-inside:avoid}"
    ".cols{display:grid;grid-template-columns:1fr 1fr;gap:16px}"
    ".legend span{margin-right:10px}.sw{display:inline-block;width:10px;height:10px;margin-right:4px;"
    "border:1px solid #000}"
    ".desc{color:#374151;margin:2px 0 8px}"
    "footer{margin-top:18px;color:#4b5563;font-size:9pt;display:flex;justify-content:space-between}"
    ".tlp-clear{color:#fff}.tlp-green{color:#33ff00}.tlp-amber{color:#ffc000}.tlp-red{color:#ff2b2b}";

// The label's class: its TLP 2.0 colour (FIRST), on black.
const char* TlpClass(std::string_view name) {
  if (name == "TLP:RED") return "tlp tlp-red";
  if (name == "TLP:AMBER" || name == "TLP:AMBER+STRICT") return "tlp tlp-amber";
  if (name == "TLP:GREEN") return "tlp tlp-green";
  return "tlp tlp-clear";
}

void Page::Tlp(std::string_view name) {
  out_ += "<span class=\"";
  out_ += TlpClass(name);
  out_ += "\" data-tlp=\"";
  Esc(name);
  out_ += "\">";
  Esc(name);
  out_ += "</span>";
}

void Page::Header() {
  const std::string cap(stix::TlpName(d_.max_tlp));
  out_ += "<div class=\"banner\"><div>";
  Tlp(cap);
  out_ += "</div><div>";
  Esc(T("subtitle"));
  out_ += "</div></div><h1>";
  Esc(T("title"));
  out_ += "</h1><dl class=\"meta\"><dt>";
  Esc(T("period"));
  out_ += "</dt><dd>";
  std::string span = d_.since;
  if (span.size() >= 2) {
    const std::string unit(1, static_cast<char>(std::tolower(static_cast<unsigned char>(span.back()))));
    span = T("unit." + unit, "n", span.substr(0, span.size() - 1));
  }
  Esc(T("last", "since", span));
  out_ += " (";
  Esc(When(d_.since_us));
  out_ += " — ";
  Esc(When(d_.now_us));
  out_ += ")</dd><dt>";
  Esc(T("generated"));
  out_ += "</dt><dd>";
  Esc(When(d_.now_us));
  out_ += "</dd>";
  if (!d_.hub.empty()) {
    out_ += "<dt>";
    Esc(T("hub"));
    out_ += "</dt><dd>";
    Esc(d_.hub);
    out_ += "</dd>";
  }
  out_ += "<dt>";
  Esc(T("reader"));
  out_ += "</dt><dd>";
  Esc(d_.reader);
  out_ += "</dd></dl><p class=\"cap\">";
  Esc(T("cap", "tlp", cap));
  out_ += "</p>";
}

void Page::Headline() {
  out_ += "<h2>";
  Esc(T("headline"));
  out_ += "</h2><div class=\"tiles\">";
  auto tile = [&](const char* key, const std::string& value, const char* id) {
    out_ += "<div class=\"tile\" data-figure=\"";
    out_ += id;
    out_ += "\"><b>";
    Esc(value);
    out_ += "</b><span>";
    Esc(T(key));
    out_ += "</span></div>";
  };
  tile("newIntel", Num(d_.total), "total");
  tile("indicators", Num(TypeCount("indicator")), "indicators");
  tile("sightings", Num(TypeCount("sighting")), "sightings");
  tile("openIncidents", d_.incidents_known ? Num(d_.open_incidents) : "—", "open-incidents");
  tile("guidance", Num(d_.guidance_total), "guidance");
  out_ += "</div>";
}

void Page::Charts() {
  out_ += "<h2>";
  Esc(T("byDay"));
  out_ += "</h2>";
  if (d_.total == 0) {
    out_ += "<p>";
    Esc(T("noData"));
    out_ += "</p>";
    return;
  }
  // Stacked bars, CLEAR at the bottom to RED at the top.
  const size_t n = d_.days.size();
  std::vector<int64_t> sums(n, 0);
  for (const auto& s : d_.by_tlp)
    for (size_t i = 0; i < n && i < s.counts.size(); ++i) sums[i] += s.counts[i];
  const int64_t top = std::max<int64_t>(1, *std::max_element(sums.begin(), sums.end()));
  const double w = 640, h = 170, left = 40, bottom = 20;
  const double bw = (w - left) / static_cast<double>(std::max<size_t>(n, 1));
  out_ += "<svg role=\"img\" viewBox=\"0 0 640 200\" width=\"100%\" xmlns=\"http://www.w3.org/2000/svg\"><title>";
  Esc(T("byDay"));
  out_ += "</title>";
  out_ += "<line x1=\"" + Fixed(left) + "\" y1=\"" + Fixed(h) + "\" x2=\"640\" y2=\"" + Fixed(h) +
          "\" stroke=\"#1b1f24\"/><text x=\"0\" y=\"12\" font-size=\"10\">" + std::to_string(top) + "</text>";
  std::vector<double> base(n, h);
  for (const auto& s : d_.by_tlp) {
    for (size_t i = 0; i < n && i < s.counts.size(); ++i) {
      if (s.counts[i] == 0) continue;
      const double bar = (h - 10) * static_cast<double>(s.counts[i]) / static_cast<double>(top);
      base[i] -= bar;
      out_ += "<rect x=\"" + Fixed(left + bw * static_cast<double>(i) + 1) + "\" y=\"" + Fixed(base[i]) +
              "\" width=\"" + Fixed(std::max(1.0, bw - 2)) + "\" height=\"" + Fixed(bar) + "\" fill=\"" +
              TlpColour(s.name) + "\" stroke=\"#000\" stroke-width=\"0.3\"/>";
    }
  }
  if (n > 0) {
    out_ += "<text x=\"40\" y=\"" + std::to_string(static_cast<int>(h + bottom - 4)) + "\" font-size=\"10\">";
    Esc(d_.days.front());
    out_ += "</text><text x=\"640\" text-anchor=\"end\" y=\"" + std::to_string(static_cast<int>(h + bottom - 4)) +
            "\" font-size=\"10\">";
    Esc(d_.days.back());
    out_ += "</text>";
  }
  out_ += "</svg><div class=\"legend\">";
  for (const auto& s : d_.by_tlp) {
    int64_t sum = 0;
    for (int64_t c : s.counts) sum += c;
    out_ += "<span><i class=\"sw\"><svg width=\"10\" height=\"10\"><rect width=\"10\" height=\"10\" fill=\"";
    out_ += TlpColour(s.name);
    out_ += "\"/></svg></i>";
    Esc(s.name);
    out_ += " <b data-tlp-total=\"";
    Esc(s.name);
    out_ += "\">";
    Esc(Num(sum));
    out_ += "</b></span>";
  }
  out_ += "</div><div class=\"cols\"><div><h2>";
  Esc(T("byNation"));
  out_ += "</h2><table><thead><tr><th>";
  Esc(T("nation"));
  out_ += "</th><th class=\"n\">";
  Esc(T("count"));
  out_ += "</th></tr></thead><tbody>";
  for (const auto& s : d_.by_nation) {
    int64_t sum = 0;
    for (int64_t c : s.counts) sum += c;
    out_ += "<tr><td>";
    Esc(NationName(s.name));
    out_ += "</td><td class=\"n\">";
    Esc(Num(sum));
    out_ += "</td></tr>";
  }
  out_ += "</tbody></table></div><div><h2>";
  Esc(T("byType"));
  out_ += "</h2><table><thead><tr><th>";
  Esc(T("type"));
  out_ += "</th><th class=\"n\">";
  Esc(T("count"));
  out_ += "</th></tr></thead><tbody>";
  for (size_t i = 0; i < d_.by_type.size() && i < 10; ++i) {
    out_ += "<tr><td><code>";
    Esc(d_.by_type[i].first);
    out_ += "</code></td><td class=\"n\">";
    Esc(Num(d_.by_type[i].second));
    out_ += "</td></tr>";
  }
  out_ += "</tbody></table></div></div>";
  if (!d_.top_sighted.empty()) {
    out_ += "<h2>";
    Esc(T("topSighted"));
    out_ += "</h2><table data-testid=\"top-sighted\"><thead><tr><th>";
    Esc(T("indicator"));
    out_ += "</th><th class=\"n\">";
    Esc(T("sightingCount"));
    out_ += "</th></tr></thead><tbody>";
    for (const auto& [name, n] : d_.top_sighted) {
      out_ += "<tr><td>";
      Esc(name);
      out_ += "</td><td class=\"n\">";
      Esc(Num(n));
      out_ += "</td></tr>";
    }
    out_ += "</tbody></table>";
  }
}

void Page::Incidents() {
  if (!d_.incidents_known) return;
  out_ += "<h2>";
  Esc(T("topIncidents"));
  out_ += "</h2>";
  if (d_.incidents.empty()) {
    out_ += "<p>";
    Esc(T("noIncidents"));
    out_ += "</p>";
    return;
  }
  out_ += "<table><thead><tr><th>";
  for (const char* k : {"name", "priority", "owner", "sectors", "nations"}) {
    Esc(T(k));
    out_ += "</th><th>";
  }
  Esc(T("modified"));
  out_ += "</th></tr></thead><tbody>";
  for (const BriefingIncident& i : d_.incidents) {
    out_ += "<tr data-incident=\"";
    Esc(i.id);
    out_ += "\"><td>";
    Tlp(i.tlp);
    out_ += " ";
    Esc(i.name);
    out_ += "</td><td>";
    Esc(i.priority_level.empty() ? std::string() : T("priority." + i.priority_level));
    out_ += " (" + std::to_string(i.priority_score) + ")</td><td>";
    Esc(i.owner);
    out_ += "</td><td>";
    std::string sectors;
    for (const auto& s : i.sectors) sectors += (sectors.empty() ? "" : ", ") + s;
    Esc(sectors);
    out_ += "</td><td>";
    std::string nations;
    for (const auto& s : i.nations) nations += (nations.empty() ? "" : ", ") + NationName(s);
    Esc(nations);
    out_ += "</td><td>";
    Esc(i.modified.substr(0, 10));
    out_ += "</td></tr>";
  }
  out_ += "</tbody></table>";
}

void Page::Guidance() {
  out_ += "<h2>";
  Esc(T("newGuidance"));
  out_ += "</h2>";
  if (d_.guidance.empty()) {
    out_ += "<p>";
    Esc(T("noGuidance"));
    out_ += "</p>";
    return;
  }
  for (const BriefingGuidance& g : d_.guidance) {
    out_ += "<div data-guidance=\"";
    Esc(g.id);
    out_ += "\"><p><b>";
    Esc(g.name.empty() ? g.id : g.name);
    out_ += "</b> ";
    Tlp(stix::TlpName(g.tlp));
    out_ += " <small>";
    Esc(T("type." + g.type));
    out_ += " · ";
    Esc(T("producer"));
    out_ += ": ";
    Esc(g.producer);
    out_ += " · ";
    Esc(g.modified.substr(0, 10));
    if (g.translated) {
      out_ += " · ";
      Esc(T("translated"));
    }
    out_ += "</small></p>";
    if (!g.description.empty()) {
      out_ += "<p class=\"desc\">";
      std::string desc = g.description;
      if (desc.size() > 600) {
        size_t cut = 600;
        while (cut > 0 && (static_cast<unsigned char>(desc[cut]) & 0xC0) == 0x80) --cut;  // UTF-8 boundary
        desc = desc.substr(0, cut) + "…";
      }
      Esc(desc);
      out_ += "</p>";
    }
    out_ += "</div>";
  }
  if (d_.guidance_total > static_cast<int64_t>(d_.guidance.size())) {
    out_ += "<p>";
    Esc(T("more", "count", Num(d_.guidance_total - static_cast<int64_t>(d_.guidance.size()))));
    out_ += "</p>";
  }
}

std::string Page::Render() {
  out_ += "<!doctype html><html lang=\"";
  out_ += ja_ ? "ja" : "en";
  // The file keeps its own policy when opened from disk: its style, nothing else.
  out_ += "\"><head><meta charset=\"utf-8\"><meta http-equiv=\"Content-Security-Policy\" "
          "content=\"default-src 'none'; style-src ";
  out_ += StyleSource(kStyle);
  out_ += "; img-src data:\"><meta name=\"viewport\" content=\"width=device-width\"><title>";
  Esc(T("title"));
  out_ += " — ";
  Esc(std::string(stix::TlpName(d_.max_tlp)));
  out_ += "</title><style>";
  out_ += kStyle;
  out_ += "</style></head><body>";
  Header();
  Headline();
  Charts();
  Incidents();
  Guidance();
  out_ += "<footer><span>";
  Tlp(stix::TlpName(d_.max_tlp));
  out_ += "</span><span>Kizuna · ";
  Esc(When(d_.now_us));
  out_ += "</span></footer></body></html>\n";
  return std::move(out_);
}

}  // namespace

std::string RenderBriefing(const BriefingData& data) { return Page(data).Render(); }

}  // namespace kizuna::ui
