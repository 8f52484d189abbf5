// Suricata EVE JSON (docs.suricata.io, "EVE JSON Format").
#include <simdjson.h>

#include "core/time.h"
#include "match/reader.h"

namespace kizuna::match {

namespace od = simdjson::ondemand;

namespace {

bool Str(od::value v, std::string_view* out) {
  return v.get_string().get(*out) == simdjson::SUCCESS;
}

class EveReader final : public LogReader {
 public:
  std::unique_ptr<LogReader> Clone() const override { return std::make_unique<EveReader>(); }

  LineStatus Parse(std::string_view line, size_t capacity, Event* ev,
                   std::string* error) override {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
    if (line.empty()) return LineStatus::kSkip;
    ev->Clear();
    try {
      od::document doc = parser_.iterate(line.data(), line.size(), capacity);
      od::object root;
      if (doc.get_object().get(root) != simdjson::SUCCESS) {
        *error = "not a JSON object";
        return LineStatus::kMalformed;
      }
      for (auto field : root) {
        std::string_view key;
        if (field.unescaped_key().get(key) != simdjson::SUCCESS) {
          *error = "malformed key";
          return LineStatus::kMalformed;
        }
        od::value v = field.value();
        std::string_view s;
        if (key == "timestamp") {
          if (Str(v, &s)) ParseLogTime(s, &ev->time_us);
        } else if (key == "event_type") {
          if (Str(v, &s)) ev->log_type = s;
        } else if (key == "src_ip") {
          if (Str(v, &s)) ev->Add(FieldKind::kIp, "src_ip", s, Role::kSrc);
        } else if (key == "dest_ip") {
          if (Str(v, &s)) ev->Add(FieldKind::kIp, "dest_ip", s, Role::kDst);
        } else if (key == "dns") {
          Dns(v, ev);
        } else if (key == "http") {
          Http(v, ev);
        } else if (key == "tls") {
          Tls(v, ev);
        } else if (key == "fileinfo") {
          FileInfo(v, ev);
        } else if (key == "email") {
          Email(v, ev, "email");
        } else if (key == "smtp") {
          Email(v, ev, "smtp");
        }
      }
    } catch (const simdjson::simdjson_error& e) {
      *error = std::string("malformed JSON: ") + e.what();
      return LineStatus::kMalformed;
    }
    if (!complete_) {
      complete_ = true;
      *error = "malformed JSON";
      return LineStatus::kMalformed;
    }
    return LineStatus::kEvent;
  }

 private:
  // Marks the record malformed when a nested object fails to parse.
  void Fail() { complete_ = false; }

  void DnsEntry(od::object o, Event* ev, std::string_view prefix) {
    for (auto f : o) {
      std::string_view k, s;
      if (f.unescaped_key().get(k) != simdjson::SUCCESS) return Fail();
      od::value v = f.value();
      if (k == "rrname") {
        if (Str(v, &s)) ev->Add(FieldKind::kDomain, prefix == "dns" ? "dns.rrname" : "dns.answers.rrname", s);
      } else if (k == "rdata") {
        if (Str(v, &s)) ev->Add(FieldKind::kHost, "dns.rdata", s);
      } else if (k == "queries" || k == "answers" || k == "authorities") {
        od::array arr;
        if (v.get_array().get(arr) != simdjson::SUCCESS) continue;
        for (auto el : arr) {
          od::object inner;
          if (el.get_object().get(inner) == simdjson::SUCCESS) DnsEntry(inner, ev, k);
        }
      } else if (k == "grouped") {
        od::object g;
        if (v.get_object().get(g) != simdjson::SUCCESS) continue;
        for (auto gf : g) {
          od::array arr;
          if (gf.value().get_array().get(arr) != simdjson::SUCCESS) continue;
          for (auto el : arr) {
            if (el.get_string().get(s) == simdjson::SUCCESS) {
              ev->Add(FieldKind::kHost, "dns.grouped", s);
            }
          }
        }
      }
    }
  }
  void Dns(od::value v, Event* ev) {
    od::object o;
    if (v.get_object().get(o) != simdjson::SUCCESS) return;
    DnsEntry(o, ev, "dns");
  }
  void Http(od::value v, Event* ev) {
    od::object o;
    if (v.get_object().get(o) != simdjson::SUCCESS) return;
    std::string_view host, url;
    for (auto f : o) {
      std::string_view k, s;
      if (f.unescaped_key().get(k) != simdjson::SUCCESS) return Fail();
      od::value fv = f.value();
      if (k == "hostname") {
        if (Str(fv, &host)) ev->Add(FieldKind::kHost, "http.hostname", host);
      } else if (k == "url") {
        Str(fv, &url);
      } else if (k == "http_refer") {
        if (Str(fv, &s)) ev->Add(FieldKind::kUrl, "http.http_refer", s);
      } else if (k == "http_user_agent") {
        if (Str(fv, &s)) ev->AddGeneric(PathUserAgent(), "http.http_user_agent", s);
      }
    }
    if (!url.empty()) {
      if (url.find("://") != std::string_view::npos) {
        ev->Add(FieldKind::kUrl, "http.url", url);
      } else if (!host.empty()) {
        std::string u = "http://";
        u += host;
        if (url.front() != '/') u += '/';
        u += url;
        ev->Add(FieldKind::kUrl, "http.hostname+url", ev->Keep(u));
      }
    }
  }
  void Tls(od::value v, Event* ev) {
    od::object o;
    if (v.get_object().get(o) != simdjson::SUCCESS) return;
    for (auto f : o) {
      std::string_view k, s;
      if (f.unescaped_key().get(k) != simdjson::SUCCESS) return Fail();
      od::value fv = f.value();
      if (!Str(fv, &s)) continue;
      if (k == "sni") {
        ev->Add(FieldKind::kDomain, "tls.sni", s);
      } else if (k == "subject") {
        ev->AddGeneric(PathX509Subject(), "tls.subject", s);
      } else if (k == "issuerdn") {
        ev->AddGeneric(PathX509Issuer(), "tls.issuerdn", s);
      } else if (k == "serial") {
        ev->AddGeneric(PathX509Serial(), "tls.serial", s);
      } else if (k == "fingerprint") {
        ev->AddHash("tls.fingerprint", s, HashGroup::kCert);
      }
    }
  }
  void FileInfo(od::value v, Event* ev) {
    od::object o;
    if (v.get_object().get(o) != simdjson::SUCCESS) return;
    for (auto f : o) {
      std::string_view k, s;
      if (f.unescaped_key().get(k) != simdjson::SUCCESS) return Fail();
      od::value fv = f.value();
      if (k == "filename") {
        if (Str(fv, &s)) ev->AddGeneric(PathFileName(), "fileinfo.filename", s);
      } else if (k == "md5" || k == "sha1" || k == "sha256") {
        if (Str(fv, &s)) {
          ev->AddHash(k == "md5" ? "fileinfo.md5" : k == "sha1" ? "fileinfo.sha1" : "fileinfo.sha256",
                      s, HashGroup::kFile);
        }
      }
    }
  }
  void Email(od::value v, Event* ev, std::string_view which) {
    od::object o;
    if (v.get_object().get(o) != simdjson::SUCCESS) return;
    for (auto f : o) {
      std::string_view k, s;
      if (f.unescaped_key().get(k) != simdjson::SUCCESS) return Fail();
      od::value fv = f.value();
      bool addr = k == "from" || k == "to" || k == "cc" || k == "mail_from" || k == "rcpt_to";
      if (addr) {
        const char* name = which == "smtp" ? "smtp.address" : "email.address";
        if (Str(fv, &s)) {
          ev->Add(FieldKind::kEmail, name, s);
        } else {
          od::array arr;
          if (fv.get_array().get(arr) != simdjson::SUCCESS) continue;
          for (auto el : arr) {
            if (el.get_string().get(s) == simdjson::SUCCESS) ev->Add(FieldKind::kEmail, name, s);
          }
        }
      } else if (k == "subject") {
        if (Str(fv, &s)) ev->AddGeneric(PathEmailSubject(), "email.subject", s);
      } else if (k == "attachment") {
        od::array arr;
        if (fv.get_array().get(arr) != simdjson::SUCCESS) continue;
        for (auto el : arr) {
          if (el.get_string().get(s) == simdjson::SUCCESS) {
            ev->AddGeneric(PathFileName(), "email.attachment", s);
          }
        }
      }
    }
  }

  od::parser parser_;
  bool complete_ = true;
};

}  // namespace

std::unique_ptr<LogReader> MakeEveReader() { return std::make_unique<EveReader>(); }

bool ParseLogFormat(std::string_view name, LogFormat* out) {
  if (name == "eve" || name == "suricata") {
    *out = LogFormat::kEve;
  } else if (name == "zeek" || name == "bro") {
    *out = LogFormat::kZeek;
  } else if (name == "zeek-tsv") {
    *out = LogFormat::kZeekTsv;
  } else if (name == "zeek-json") {
    *out = LogFormat::kZeekJson;
  } else if (name == "lines" || name == "plain") {
    *out = LogFormat::kLines;
  } else {
    return false;
  }
  return true;
}

std::unique_ptr<LogReader> MakeReader(LogFormat format, std::string_view sample,
                                      const ReaderOptions& options) {
  switch (format) {
    case LogFormat::kEve:
      return MakeEveReader();
    case LogFormat::kZeekTsv:
      return MakeZeekTsvReader();
    case LogFormat::kZeekJson:
      return MakeZeekJsonReader();
    case LogFormat::kLines:
      return MakeLinesReader(options);
    case LogFormat::kZeek: {
      size_t i = sample.find_first_not_of(" \t\r\n");
      if (i != std::string_view::npos && sample[i] == '{') return MakeZeekJsonReader();
      return MakeZeekTsvReader();
    }
  }
  return MakeEveReader();
}

}  // namespace kizuna::match
