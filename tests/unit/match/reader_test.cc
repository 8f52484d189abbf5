// The log readers, line by line.
#include <gtest/gtest.h>

#include "match/reader.h"

namespace kizuna::match {
namespace {

struct Parsed {
  LineStatus status;
  std::vector<std::pair<std::string, std::string>> fields;  // name, value
  int64_t time_us = 0;
  std::string log_type;
  std::string error;
};

Parsed ParseOne(LogReader& r, std::string line) {
  std::string buf = line + std::string(kReadPadding, '\0');
  Event ev;
  Parsed p;
  p.status = r.Parse(std::string_view(buf.data(), line.size()), buf.size(), &ev, &p.error);
  for (const auto& f : ev.fields) p.fields.emplace_back(std::string(f.name), std::string(f.value));
  p.time_us = ev.Time();
  p.log_type = std::string(ev.log_type);
  return p;
}

bool Has(const Parsed& p, const std::string& name, const std::string& value) {
  for (const auto& f : p.fields) {
    if (f.first == name && f.second == value) return true;
  }
  return false;
}

TEST(EveReaderTest, DnsHttpTlsFileinfoAndTime) {
  auto r = MakeEveReader();
  Parsed p = ParseOne(*r,
      R"({"timestamp":"2017-03-24T13:44:41.573609+0100","event_type":"dns","src_ip":"10.0.0.1",)"
      R"("dest_ip":"10.0.0.2","dns":{"type":"answer","rrname":"a.example","answers":[)"
      R"({"rrname":"a.example","rrtype":"CNAME","rdata":"b.example"},{"rrname":"b.example",)"
      R"("rrtype":"A","rdata":"192.0.2.1"}],"grouped":{"A":["192.0.2.1"]}}})");
  ASSERT_EQ(p.status, LineStatus::kEvent) << p.error;
  EXPECT_EQ(p.log_type, "dns");
  EXPECT_EQ(p.time_us, (1490363081LL - 3600) * 1000000 + 573609);
  EXPECT_TRUE(Has(p, "src_ip", "10.0.0.1"));
  EXPECT_TRUE(Has(p, "dns.rrname", "a.example"));
  EXPECT_TRUE(Has(p, "dns.rdata", "b.example"));
  EXPECT_TRUE(Has(p, "dns.rdata", "192.0.2.1"));
  EXPECT_TRUE(Has(p, "dns.grouped", "192.0.2.1"));

  p = ParseOne(*r, R"({"event_type":"http","http":{"hostname":"h.example","url":"/a?b=c",)"
                   R"("http_user_agent":"UA 1","http_refer":"http://r.example/"}})");
  EXPECT_TRUE(Has(p, "http.hostname+url", "http://h.example/a?b=c"));
  EXPECT_TRUE(Has(p, "http.http_user_agent", "UA 1"));
  EXPECT_TRUE(Has(p, "http.http_refer", "http://r.example/"));

  p = ParseOne(*r, R"({"event_type":"tls","tls":{"sni":"s.example","subject":"CN=s.example",)"
                   R"("issuerdn":"CN=ca","serial":"01:02","fingerprint":"aa:bb"}})");
  EXPECT_TRUE(Has(p, "tls.sni", "s.example"));
  EXPECT_TRUE(Has(p, "tls.subject", "CN=s.example"));
  EXPECT_TRUE(Has(p, "tls.issuerdn", "CN=ca"));
  EXPECT_TRUE(Has(p, "tls.serial", "01:02"));
  EXPECT_TRUE(Has(p, "tls.fingerprint", "aa:bb"));

  p = ParseOne(*r, R"({"event_type":"fileinfo","fileinfo":{"filename":"x.exe","md5":"ab",)"
                   R"("sha256":"cd","size":3}})");
  EXPECT_TRUE(Has(p, "fileinfo.filename", "x.exe"));
  EXPECT_TRUE(Has(p, "fileinfo.md5", "ab"));
  EXPECT_TRUE(Has(p, "fileinfo.sha256", "cd"));

  // Suricata 8 dns v3: queries is a list.
  p = ParseOne(*r, R"({"event_type":"dns","dns":{"queries":[{"rrname":"q.example"}]}})");
  EXPECT_TRUE(Has(p, "dns.answers.rrname", "q.example"));
}

TEST(EveReaderTest, MalformedLinesAreReportedNotFatal) {
  auto r = MakeEveReader();
  EXPECT_EQ(ParseOne(*r, R"({"event_type":"dns","dns":{"rrname":)").status, LineStatus::kMalformed);
  EXPECT_EQ(ParseOne(*r, "not json").status, LineStatus::kMalformed);
  EXPECT_EQ(ParseOne(*r, "[1,2]").status, LineStatus::kMalformed);
  EXPECT_EQ(ParseOne(*r, "").status, LineStatus::kSkip);
  // Wrong types are ignored, not errors.
  Parsed p = ParseOne(*r, R"({"src_ip":5,"dns":"x","http":null,"dest_ip":"10.0.0.9"})");
  EXPECT_EQ(p.status, LineStatus::kEvent);
  EXPECT_TRUE(Has(p, "dest_ip", "10.0.0.9"));
}

TEST(ZeekTsvReaderTest, HeadersSetsEscapesAndUnsetFields) {
  auto r = MakeZeekTsvReader();
  Event ev;
  std::string err;
  for (std::string h : {"#separator \\x09", "#set_separator\t,", "#empty_field\t(empty)",
                        "#unset_field\t-", "#path\thttp",
                        "#fields\tts\tuid\tid.orig_h\tid.resp_h\thost\turi\torig_filenames\tuser_agent",
                        "#types\ttime\tstring\taddr\taddr\tstring\tstring\tvector[string]\tstring"}) {
    std::string buf = h + std::string(kReadPadding, '\0');
    EXPECT_EQ(r->Parse(std::string_view(buf.data(), h.size()), buf.size(), &ev, &err),
              LineStatus::kSkip);
  }
  Parsed p = ParseOne(*r, "1300475167.096535\tC1\t10.0.0.1\t192.0.2.5\th.example\t/p\\x09q\t"
                          "a.exe,b,c.exe\tMozilla, like Gecko");
  ASSERT_EQ(p.status, LineStatus::kEvent) << p.error;
  EXPECT_EQ(p.log_type, "http");
  EXPECT_EQ(p.time_us, 1300475167096535LL);
  EXPECT_TRUE(Has(p, "id.orig_h", "10.0.0.1"));
  EXPECT_TRUE(Has(p, "host", "h.example"));
  EXPECT_TRUE(Has(p, "host+uri", "http://h.example/p\tq"));
  EXPECT_TRUE(Has(p, "orig_filenames", "a.exe"));
  EXPECT_TRUE(Has(p, "orig_filenames", "c.exe"));
  EXPECT_TRUE(Has(p, "user_agent", "Mozilla, like Gecko"));  // a string, not a set
  p = ParseOne(*r, "1300475167.1\tC2\t-\t(empty)\t-\t-\t-\t-");
  EXPECT_EQ(p.status, LineStatus::kEvent);
  EXPECT_TRUE(p.fields.empty());
  EXPECT_EQ(ParseOne(*r, "1300475167.1\tC2").status, LineStatus::kMalformed);
  auto fresh = MakeZeekTsvReader();
  EXPECT_EQ(ParseOne(*fresh, "1\t2\t3").status, LineStatus::kMalformed);  // no #fields yet
}

TEST(ZeekJsonReaderTest, FlatNestedAndWrapped) {
  auto r = MakeZeekJsonReader();
  Parsed p = ParseOne(*r, R"({"ts":1521911720.865716,"uid":"C","id.orig_h":"10.47.1.100",)"
                          R"("id.resp_h":"10.0.0.100","query":"ise.wrccdc.org",)"
                          R"("answers":["ise.wrccdc.cpp.edu","134.71.3.16"]})");
  ASSERT_EQ(p.status, LineStatus::kEvent) << p.error;
  EXPECT_EQ(p.time_us, 1521911720865716LL);
  EXPECT_TRUE(Has(p, "query", "ise.wrccdc.org"));
  EXPECT_TRUE(Has(p, "answers", "134.71.3.16"));
  p = ParseOne(*r, R"({"ts":"2018-03-24T17:15:20.600843Z","id":{"orig_h":"10.1.1.1","resp_h":"10.2.2.2"},"server_name":"s.example"})");
  EXPECT_EQ(p.time_us, 1521911720600843LL);
  EXPECT_TRUE(Has(p, "id.orig_h", "10.1.1.1"));
  EXPECT_TRUE(Has(p, "server_name", "s.example"));
  p = ParseOne(*r, R"({"http": {"ts":1484167798.055447,"id.orig_h":"192.168.138.158","host":"h.example","uri":"/x"}})");
  EXPECT_EQ(p.log_type, "http");
  EXPECT_TRUE(Has(p, "host+uri", "http://h.example/x"));
  EXPECT_EQ(ParseOne(*r, R"({"query":)").status, LineStatus::kMalformed);
}

TEST(LinesReaderTest, RecognizesEachKindAndCsvColumns) {
  auto r = MakeLinesReader({});
  EXPECT_TRUE(Has(ParseOne(*r, " 192.0.2.1 "), "value", "192.0.2.1"));
  EXPECT_TRUE(Has(ParseOne(*r, "2001:db8::1"), "value", "2001:db8::1"));
  Parsed p = ParseOne(*r, "https://x.example/a");
  EXPECT_TRUE(Has(p, "value", "https://x.example/a"));
  EXPECT_TRUE(Has(p, "value.host", "x.example"));
  EXPECT_TRUE(Has(ParseOne(*r, "a@b.example"), "value", "a@b.example"));
  EXPECT_TRUE(Has(ParseOne(*r, "d41d8cd98f00b204e9800998ecf8427e"), "value",
                  "d41d8cd98f00b204e9800998ecf8427e"));
  EXPECT_TRUE(Has(ParseOne(*r, "evil.example"), "value", "evil.example"));
  EXPECT_EQ(ParseOne(*r, "# comment").status, LineStatus::kSkip);
  EXPECT_EQ(ParseOne(*r, "two words").status, LineStatus::kMalformed);
  EXPECT_EQ(ParseOne(*r, "nodot").status, LineStatus::kMalformed);
  ReaderOptions o;
  o.csv_column = 2;
  auto csv = MakeLinesReader(o);
  EXPECT_TRUE(Has(ParseOne(*csv, "1,\"evil.example\",x"), "value", "evil.example"));
  // Quoted cells keep delimiters and doubled quotes.
  EXPECT_TRUE(Has(ParseOne(*csv, "a,\"x\"\"y@b.example\",c"), "value", "x\"y@b.example"));
  EXPECT_EQ(ParseOne(*csv, "a,\"b.example,c.example\",d").status, LineStatus::kMalformed);
  EXPECT_EQ(ParseOne(*csv, "only-one-column").status, LineStatus::kMalformed);
}

}  // namespace
}  // namespace kizuna::match
