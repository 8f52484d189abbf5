#include "match/scanner.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <poll.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <condition_variable>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <thread>
#include <tuple>

#include "core/time.h"
#include "http/access_log.h"
#include "match/engine.h"
#include "stix/markings.h"

namespace kizuna::match {

namespace {

// A byte stream from a file or stdin, decompressing gzip and zstd.
class InputStream {
 public:
  ~InputStream() {
    if (fd_ > 0) ::close(fd_);
    if (gz_) inflateEnd(&zs_);
    if (zstd_) ZSTD_freeDStream(zstd_);
  }

  static Result<std::unique_ptr<InputStream>> Open(const std::string& path) {
    auto in = std::unique_ptr<InputStream>(new InputStream());
    in->path_ = path;
    if (path == "-") {
      in->fd_ = 0;
    } else {
      in->fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
      if (in->fd_ < 0) return IoError("cannot open " + path + ": " + std::strerror(errno));
    }
    // Sniff the compression from the first bytes.
    char head[4];
    size_t got = 0;
    while (got < 4) {
      ssize_t n = ::read(in->fd_, head + got, 4 - got);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return IoError("cannot read " + path + ": " + std::strerror(errno));
      if (n == 0) break;
      got += static_cast<size_t>(n);
    }
    in->pending_.assign(head, got);
    auto u = [&](size_t i) { return static_cast<unsigned char>(head[i]); };
    if (got >= 2 && u(0) == 0x1f && u(1) == 0x8b) {
      if (inflateInit2(&in->zs_, 15 + 32) != Z_OK) return Internal("zlib init failed");
      in->gz_ = true;
    } else if (got >= 4 && u(0) == 0x28 && u(1) == 0xb5 && u(2) == 0x2f && u(3) == 0xfd) {
      in->zstd_ = ZSTD_createDStream();
      if (in->zstd_ == nullptr) return Internal("zstd init failed");
    }
    return in;
  }

  bool compressed() const { return gz_ || zstd_ != nullptr; }
  int fd() const { return fd_; }

  // Reads up to n bytes; 0 at the current end of the input.
  Result<size_t> Read(char* out, size_t n) {
    if (!compressed()) {
      if (!pending_.empty()) {
        size_t k = std::min(n, pending_.size());
        std::memcpy(out, pending_.data(), k);
        pending_.erase(0, k);
        return k;
      }
      return RawRead(out, n);
    }
    // Decompress until some output is produced or the input ends.
    for (;;) {
      if (raw_pos_ == raw_len_) {
        if (!pending_.empty()) {
          raw_.assign(pending_.begin(), pending_.end());
          raw_len_ = raw_.size();
          pending_.clear();
        } else {
          raw_.resize(1 << 16);
          ASSIGN_OR_RETURN(size_t k, RawRead(raw_.data(), raw_.size()));
          raw_len_ = k;
        }
        raw_pos_ = 0;
        if (raw_len_ == 0) {
          if (!finished_ && (gz_ ? gz_started_ : zstd_started_)) {
            return InvalidArgument(path_ + ": truncated compressed data");
          }
          return size_t{0};
        }
      }
      if (gz_) {
        zs_.next_in = reinterpret_cast<Bytef*>(raw_.data() + raw_pos_);
        zs_.avail_in = static_cast<uInt>(raw_len_ - raw_pos_);
        zs_.next_out = reinterpret_cast<Bytef*>(out);
        zs_.avail_out = static_cast<uInt>(n);
        gz_started_ = true;
        finished_ = false;
        int rc = inflate(&zs_, Z_NO_FLUSH);
        raw_pos_ = raw_len_ - zs_.avail_in;
        size_t produced = n - zs_.avail_out;
        if (rc == Z_STREAM_END) {
          finished_ = true;
          gz_started_ = false;
          inflateReset(&zs_);  // concatenated members
        } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
          return InvalidArgument(path_ + ": corrupt gzip data");
        }
        if (produced > 0) return produced;
      } else {
        ZSTD_inBuffer in{raw_.data(), raw_len_, raw_pos_};
        ZSTD_outBuffer o{out, n, 0};
        zstd_started_ = true;
        size_t rc = ZSTD_decompressStream(zstd_, &o, &in);
        if (ZSTD_isError(rc)) {
          return InvalidArgument(path_ + ": corrupt zstd data: " + ZSTD_getErrorName(rc));
        }
        finished_ = rc == 0;
        raw_pos_ = in.pos;
        if (o.pos > 0) return o.pos;
      }
    }
  }

 private:
  InputStream() = default;
  Result<size_t> RawRead(char* out, size_t n) {
    for (;;) {
      ssize_t k = ::read(fd_, out, n);
      if (k < 0 && errno == EINTR) continue;
      if (k < 0) return IoError("cannot read " + path_ + ": " + std::strerror(errno));
      return static_cast<size_t>(k);
    }
  }

  std::string path_;
  int fd_ = -1;
  std::string pending_;
  bool gz_ = false;
  bool gz_started_ = false;
  z_stream zs_{};
  ZSTD_DStream* zstd_ = nullptr;
  bool zstd_started_ = false;
  bool finished_ = true;
  std::vector<char> raw_;
  size_t raw_pos_ = 0, raw_len_ = 0;
};

// Finds the newlines of a chunk 64 bytes at a time (a bit mask per block)
// instead of one library call per line. Reads whole blocks: the chunk must
// have 63 readable bytes after its end (kReadPadding).
class NewlineFinder {
 public:
  NewlineFinder(const char* base, size_t end) : base_(base), end_(end) {}

  // The first '\n' at or after `pos`, or end.
  size_t Next(size_t pos) {
    for (;;) {
      if (pos >= end_) return end_;
      const size_t block = pos & ~size_t{63};
      if (block != block_) {
        block_ = block;
        mask_ = Mask(base_ + block);
        if (end_ - block < 64) mask_ &= (uint64_t{1} << (end_ - block)) - 1;
      }
      const uint64_t m = mask_ & (~uint64_t{0} << (pos & 63));
      if (m != 0) return block + static_cast<size_t>(__builtin_ctzll(m));
      pos = block + 64;
    }
  }

 private:
  static uint64_t Mask(const char* p) {
#if defined(__SSE2__)
    const __m128i nl = _mm_set1_epi8('\n');
    uint64_t m = 0;
    for (int i = 0; i < 4; ++i) {
      __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * i));
      m |= static_cast<uint64_t>(static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, nl))))
           << (16 * i);
    }
    return m;
#else
    uint64_t m = 0;
    for (int i = 0; i < 64; ++i) m |= static_cast<uint64_t>(p[i] == '\n') << i;
    return m;
#endif
  }

  const char* base_;
  size_t end_;
  size_t block_ = SIZE_MAX;
  uint64_t mask_ = 0;
};

// The longest line kept whole; longer ones are cut (readers then report the
// pieces as malformed).
constexpr size_t kMaxLine = 64u << 20;

struct Chunk {
  uint64_t seq = 0;
  size_t input = 0;
  std::string data;  // payload followed by kReadPadding zero bytes
  size_t size = 0;   // payload bytes
  // Or a view into a mapped file, with `view_capacity` readable bytes
  // (at least size + kReadPadding); `mapping` keeps the map alive.
  const char* view = nullptr;
  size_t view_capacity = 0;
  std::shared_ptr<void> mapping;
  const char* base() const { return view ? view : data.data(); }
  size_t capacity() const { return view ? view_capacity : data.size(); }
  const LogReader* proto = nullptr;
  std::shared_ptr<const ZeekHeader> header;
  bool last = false;  // the input's last chunk
  // Document mode (a JSON array or pretty-printed objects): the records,
  // as (offset, length, 1-based line of their first byte).
  std::vector<std::tuple<size_t, size_t, int64_t>> records;
  int64_t total_lines = 0;
};

// Splits JSON text into its top-level objects (inside an outer array or
// one after another), tracking strings and escapes. Stray bytes between
// objects are reported as (offset, length, line) with length 0... never:
// they are skipped; an unterminated object runs to the end of the text.
std::vector<std::tuple<size_t, size_t, int64_t>> SplitJsonObjects(std::string_view d,
                                                                   int64_t* lines) {
  std::vector<std::tuple<size_t, size_t, int64_t>> out;
  int64_t line = 1;
  int depth = 0;
  bool in_string = false, escape = false;
  size_t start = 0;
  int64_t start_line = 0;
  // Objects are at depth 0 (concatenated) or 1 (inside one array).
  int base = -1;
  for (size_t i = 0; i < d.size(); ++i) {
    char c = d[i];
    if (c == '\n') ++line;
    if (in_string) {
      if (escape) {
        escape = false;
      } else if (c == '\\') {
        escape = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (c == '{' && (base < 0 ? (depth <= 1) : depth == base)) {
        if (base < 0) base = depth;
        if (depth == base) {
          start = i;
          start_line = line;
        }
      }
      ++depth;
    } else if (c == '}' || c == ']') {
      --depth;
      if (c == '}' && depth == base) out.emplace_back(start, i + 1 - start, start_line);
      if (depth < 0) depth = 0;
    }
  }
  if (base >= 0 && depth > base) out.emplace_back(start, d.size() - start, start_line);
  *lines = line - (d.empty() || d.back() == '\n' ? 1 : 0);
  return out;
}

// Applies the Zeek header lines (lines starting with '#') of `d` to
// `tracker`; true when any changed it.
bool TrackHeaders(std::string_view d, ZeekHeader* tracker) {
  bool changed = false;
  size_t at = 0;
  const size_t n = d.size();
  while (at < n) {
    const char* h = static_cast<const char*>(std::memchr(d.data() + at, '#', n - at));
    if (h == nullptr) break;
    size_t i = static_cast<size_t>(h - d.data());
    if (i == 0 || d[i - 1] == '\n') {
      const char* e = static_cast<const char*>(std::memchr(d.data() + i, '\n', n - i));
      size_t j = e ? static_cast<size_t>(e - d.data()) : n;
      std::string_view hl = d.substr(i, j - i);
      if (!hl.empty() && hl.back() == '\r') hl.remove_suffix(1);
      changed |= tracker->Apply(hl);
      at = j;
    } else {
      at = i + 1;
    }
  }
  return changed;
}

// True when `sample` (the start of a JSON input) is not JSON lines: an
// array, or an object whose first line does not close it.
bool IsJsonDocument(std::string_view sample) {
  size_t i = sample.find_first_not_of(" \t\r\n");
  if (i == std::string_view::npos) return false;
  if (sample[i] == '[') return true;
  if (sample[i] != '{') return false;
  size_t nl = sample.find('\n', i);
  std::string_view first = sample.substr(i, nl == std::string_view::npos ? sample.size() - i : nl - i);
  while (!first.empty() && (first.back() == '\r' || first.back() == ' ' || first.back() == '\t')) {
    first.remove_suffix(1);
  }
  return first.size() <= 1 || first.back() != '}';
}

struct Malformed {
  int64_t line;
  std::string reason;
};

// A match waiting for delivery: its texts are ranges of ChunkResult::text
// (no allocation per match).
struct PendingMatch {
  int64_t line = 0;  // relative to the chunk (1-based)
  int64_t time_us = 0;
  const GenericPath* generic = nullptr;
  uint32_t ordinal = 0;
  // Ranges of ChunkResult::text.
  size_t value_at = 0, value_len = 0, field_at = 0, field_len = 0, type_at = 0, type_len = 0;
  How how = How::kExact;
  FieldKind kind = FieldKind::kGeneric;
};

struct ChunkResult {
  uint64_t seq = 0;
  size_t input = 0;
  bool last = false;
  int64_t lines = 0, events = 0, bytes = 0;
  std::vector<PendingMatch> matches;
  std::string text;  // the matches' values, field names and log types
  std::vector<Malformed> malformed;

  // Appends `v` to text.
  void Text(std::string_view v, size_t* at, size_t* len) {
    *at = text.size();
    *len = v.size();
    text.append(v);
  }
  void Clear() {
    matches.clear();
    text.clear();
    malformed.clear();
    lines = events = bytes = 0;
  }
};

// Per worker: readers and buffers reused across chunks.
struct Worker {
  const LogReader* proto = nullptr;
  std::unique_ptr<LogReader> reader;
  const ZeekHeader* header = nullptr;
  Event event;
  std::vector<Hit> hits;
  std::unique_ptr<MatchMemo> memo = std::make_unique<MatchMemo>();
  std::string error;
};

}  // namespace

struct Scanner::Impl {
  Matcher* matcher;
  const ScanOptions& options;
  MatchSink* sink;
  const std::vector<std::string>& inputs;
  ScanStats stats;

  // Ordered delivery.
  std::mutex out_mu;
  std::map<uint64_t, ChunkResult> done;  // GUARDED_BY(out_mu)
  uint64_t next_seq = 0;                 // GUARDED_BY(out_mu)
  std::vector<int64_t> line_base;        // GUARDED_BY(out_mu)
  // Delivered results kept for their buffers.
  static constexpr size_t kMaxSpare = 8;
  std::vector<ChunkResult> spare;  // GUARDED_BY(out_mu)

  // Work queue.
  std::mutex q_mu;
  std::condition_variable q_cv, space_cv;
  std::deque<Chunk> queue;  // GUARDED_BY(q_mu)
  size_t in_flight = 0;     // GUARDED_BY(q_mu)
  bool closing = false;     // GUARDED_BY(q_mu)

  Impl(Matcher* m, const ScanOptions& o, MatchSink* s, const std::vector<std::string>& in)
      : matcher(m), options(o), sink(s), inputs(in), line_base(in.size(), 0) {}

  // A result with the buffers of a delivered one (their capacity is kept).
  ChunkResult Spare() {
    std::lock_guard lock(out_mu);
    if (spare.empty()) return ChunkResult{};
    ChunkResult r = std::move(spare.back());
    spare.pop_back();
    return r;
  }

  ChunkResult Process(Chunk& c, Worker* w) {
    ChunkResult r = Spare();
    r.seq = c.seq;
    r.input = c.input;
    r.last = c.last;
    r.bytes = static_cast<int64_t>(c.size);
    if (w->proto != c.proto || !w->reader) {
      w->reader = c.proto->Clone();
      w->proto = c.proto;
      w->header = nullptr;
    }
    if (c.header && w->header != c.header.get()) {
      w->reader->SetHeader(*c.header);
      w->header = c.header.get();
    }
    std::shared_ptr<const Snapshot> snap = matcher->snapshot();
    const int64_t now_us = matcher->clock().NowMicros();
    const uint32_t now_s = static_cast<uint32_t>(std::max<int64_t>(0, now_us / 1'000'000));
    const std::vector<uint32_t>& scan = snap->scan();
    const char* base = c.base();
    const size_t end = c.size;
    size_t pos = 0;
    int64_t line = 0;
    size_t record = 0;
    const bool doc = !c.records.empty() || c.total_lines > 0;
    NewlineFinder newlines(base, end);
    while (doc ? record < c.records.size() : pos < end) {
      std::string_view text;
      size_t capacity;
      if (doc) {
        auto [off, len, at] = c.records[record++];
        line = at;
        text = std::string_view(base + off, len);
        capacity = c.capacity() - off;
      } else {
        const size_t stop = newlines.Next(pos);
        ++line;
        text = std::string_view(base + pos, stop - pos);
        capacity = c.capacity() - pos;
        pos = stop + 1;
      }
      w->error.clear();
      LineStatus st = w->reader->Parse(text, capacity, &w->event, &w->error);
      if (st == LineStatus::kSkip) continue;
      if (st == LineStatus::kMalformed) {
        r.malformed.push_back({line, w->error});
        continue;
      }
      ++r.events;
      w->hits.clear();
      snap->Match(w->event, now_s, &w->hits, w->memo.get());
      // The texts of the previous match, shared by the next one of the
      // same field (several indicators on one value).
      size_t prev = SIZE_MAX, prev_field = 0;  // index into r.matches
      for (const Hit& h : w->hits) {
        if (h.needs_eval && !matcher->engine().Evaluate(h.ordinal, w->event, now_us)) continue;
        const Field& f = w->event.fields[h.field];
        PendingMatch& m = r.matches.emplace_back();
        m.line = line;
        m.ordinal = h.ordinal;
        m.how = h.needs_eval ? How::kPattern : h.how;
        m.kind = f.kind;
        m.generic = f.generic;
        if (prev != SIZE_MAX && prev_field == h.field) {
          const PendingMatch& p = r.matches[prev];
          m.value_at = p.value_at, m.value_len = p.value_len;
          m.field_at = p.field_at, m.field_len = p.field_len;
          m.type_at = p.type_at, m.type_len = p.type_len;
          m.time_us = p.time_us;
        } else {
          r.Text(f.value, &m.value_at, &m.value_len);
          r.Text(f.name, &m.field_at, &m.field_len);
          r.Text(w->event.log_type, &m.type_at, &m.type_len);
          m.time_us = w->event.Time();
        }
        prev = r.matches.size() - 1;
        prev_field = h.field;
      }
      for (uint32_t o : scan) {
        if (!snap->Live(o, now_s)) continue;
        bool already = false;
        for (const Hit& h : w->hits) already |= h.ordinal == o;
        if (already || !matcher->engine().Evaluate(o, w->event, now_us)) continue;
        PendingMatch& m = r.matches.emplace_back();
        m.line = line;
        m.ordinal = o;
        m.how = How::kPattern;
        r.Text(w->event.log_type, &m.type_at, &m.type_len);
        m.time_us = w->event.Time();
      }
    }
    r.lines = doc ? c.total_lines : line;
    return r;
  }

  // Delivers finished chunks in order.
  void Deliver(ChunkResult r) {
    std::lock_guard lock(out_mu);
    done.emplace(r.seq, std::move(r));
    while (!done.empty() && done.begin()->first == next_seq) {
      ChunkResult& d = done.begin()->second;
      const std::string& file = inputs[d.input];
      int64_t base = line_base[d.input];
      MatchRecord m;
      m.file = file;
      const std::string_view text = d.text;
      for (const PendingMatch& p : d.matches) {
        m.line = base + p.line;
        m.ordinal = p.ordinal;
        m.how = p.how;
        m.value = text.substr(p.value_at, p.value_len);
        m.field = text.substr(p.field_at, p.field_len);
        m.log_type = text.substr(p.type_at, p.type_len);
        m.time_us = p.time_us;
        m.kind = p.kind;
        m.generic = p.generic;
        sink->OnMatch(m);
      }
      for (const auto& mf : d.malformed) sink->OnMalformed(file, base + mf.line, mf.reason);
      line_base[d.input] += d.lines;
      stats.lines += d.lines;
      stats.events += d.events;
      stats.bytes += d.bytes;
      stats.malformed += static_cast<int64_t>(d.malformed.size());
      stats.matches += static_cast<int64_t>(d.matches.size());
      bool progress = d.last;
      if (spare.size() < kMaxSpare) {
        d.Clear();
        spare.push_back(std::move(d));
      }
      done.erase(done.begin());
      ++next_seq;
      if (progress) sink->OnProgress();
    }
  }

  void WorkerLoop() {
    Worker w;
    for (;;) {
      Chunk c;
      {
        std::unique_lock lock(q_mu);
        q_cv.wait(lock, [&] { return !queue.empty() || closing; });
        if (queue.empty()) return;
        c = std::move(queue.front());
        queue.pop_front();
      }
      ChunkResult r = Process(c, &w);
      Deliver(std::move(r));
      {
        std::lock_guard lock(q_mu);
        --in_flight;
      }
      space_cv.notify_one();
    }
  }
};

Scanner::Scanner(Matcher* matcher, ScanOptions options)
    : matcher_(matcher), options_(std::move(options)) {}
Scanner::~Scanner() = default;

Result<ScanStats> Scanner::Scan(const std::vector<std::string>& inputs, MatchSink* sink) {
  stop_.store(false);
  Impl impl(matcher_, options_, sink, inputs);
  int threads = options_.threads > 0 ? options_.threads
                                     : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::vector<std::thread> pool;
  Worker inline_worker;
  if (threads > 1) {
    for (int i = 0; i < threads; ++i) pool.emplace_back([&impl] { impl.WorkerLoop(); });
  }
  const size_t max_in_flight = static_cast<size_t>(threads) * 2 + 2;
  auto dispatch = [&](Chunk c) {
    if (threads <= 1) {
      impl.Deliver(impl.Process(c, &inline_worker));
      return;
    }
    std::unique_lock lock(impl.q_mu);
    impl.space_cv.wait(lock, [&] { return impl.in_flight < max_in_flight; });
    ++impl.in_flight;
    impl.queue.push_back(std::move(c));
    lock.unlock();
    impl.q_cv.notify_one();
  };
  auto finish_pool = [&] {
    {
      std::lock_guard lock(impl.q_mu);
      impl.closing = true;
    }
    impl.q_cv.notify_all();
    for (auto& t : pool) t.join();
    pool.clear();
  };

  uint64_t seq = 0;
  std::vector<std::unique_ptr<LogReader>> protos;
  Status failure;
  const size_t chunk_bytes = std::max<size_t>(options_.chunk_bytes, 4096);
  for (size_t input = 0; input < inputs.size() && failure.ok(); ++input) {
    auto opened = InputStream::Open(inputs[input]);
    if (!opened.ok()) {
      failure = opened.error();
      break;
    }
    std::unique_ptr<InputStream> in = std::move(opened).value();
    // An uncompressed regular file is mapped and handed out in views (no
    // copy); the tail, which has no bytes after it to read ahead into, is
    // copied into a padded buffer.
    struct stat sb;
    if (!options_.follow && inputs[input] != "-" && !in->compressed() && fstat(in->fd(), &sb) == 0 &&
        S_ISREG(sb.st_mode) && sb.st_size > 0) {
      size_t size = static_cast<size_t>(sb.st_size);
      void* map = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, in->fd(), 0);
      if (map != MAP_FAILED) {
        ::madvise(map, size, MADV_SEQUENTIAL);
        std::shared_ptr<void> mapping(map, [size](void* p) { ::munmap(p, size); });
        const char* d = static_cast<const char*>(map);
        std::string_view sample(d, std::min<size_t>(size, 4096));
        protos.push_back(MakeReader(options_.format, sample, options_.reader));
        const LogReader* proto = protos.back().get();
        const bool tsv = proto->header() != nullptr;
        if (tsv || options_.format == LogFormat::kLines || !IsJsonDocument(sample)) {
          ZeekHeader tracker;
          std::shared_ptr<const ZeekHeader> snapshot;
          bool changed = true;
          size_t off = 0;
          while (off < size) {
            size_t end = std::min(size, off + chunk_bytes);
            if (end < size) {
              // Cut after the last newline; a longer line extends the chunk.
              const char* nl = static_cast<const char*>(memrchr(d + off, '\n', end - off));
              if (nl != nullptr) {
                end = static_cast<size_t>(nl - d) + 1;
              } else {
                const char* fw = static_cast<const char*>(std::memchr(d + end, '\n', size - end));
                end = fw ? static_cast<size_t>(fw - d) + 1 : size;
              }
            }
            Chunk c;
            c.input = input;
            c.proto = proto;
            c.size = end - off;
            if (size - end >= kReadPadding) {
              c.view = d + off;
              c.view_capacity = size - off;
              c.mapping = mapping;
            } else {
              c.data.assign(d + off, c.size);
              c.data.append(kReadPadding, '\0');
            }
            if (tsv) {
              if (changed) {
                snapshot = std::make_shared<const ZeekHeader>(tracker);
                changed = false;
              }
              c.header = snapshot;
              changed |= TrackHeaders(std::string_view(d + off, c.size), &tracker);
            }
            c.last = end == size;
            c.seq = seq++;
            dispatch(std::move(c));
            off = end;
          }
          continue;
        }
        protos.pop_back();  // a JSON document: read below
      }
    }
    std::string carry;  // bytes after the last newline of the previous read
    ZeekHeader tracker;
    std::shared_ptr<const ZeekHeader> header_snapshot;
    bool tracker_changed = true;
    const LogReader* proto = nullptr;
    bool tsv = false;
    bool eof = false;
    while (!eof) {
      Chunk c;
      c.input = input;
      c.data.resize(chunk_bytes + carry.size() + kReadPadding);
      std::memcpy(c.data.data(), carry.data(), carry.size());
      size_t filled = carry.size();
      carry.clear();
      // Fill the chunk (in follow mode, hand over what has come so far).
      while (filled < c.data.size() - kReadPadding) {
        auto n = in->Read(c.data.data() + filled, c.data.size() - kReadPadding - filled);
        if (!n.ok()) {
          failure = n.error();
          break;
        }
        if (*n == 0) {
          if (options_.follow && !stop_.load() && !in->compressed()) {
            if (filled > 0) break;  // deliver what we have
            if (inputs[input] == "-") {
              pollfd p{in->fd(), POLLIN, 0};
              int pr = ::poll(&p, 1, options_.poll_ms);
              if (pr > 0 && (p.revents & (POLLHUP | POLLERR)) && !(p.revents & POLLIN)) {
                eof = true;
                break;
              }
              if (pr > 0) {
                // Readable: a read of 0 after POLLIN means the writer closed.
                auto again = in->Read(c.data.data() + filled, c.data.size() - kReadPadding - filled);
                if (!again.ok()) {
                  failure = again.error();
                  break;
                }
                if (*again == 0) {
                  eof = true;
                  break;
                }
                filled += *again;
                break;
              }
            } else {
              std::this_thread::sleep_for(std::chrono::milliseconds(options_.poll_ms));
            }
            impl.sink->OnProgress();
            continue;
          }
          eof = true;
          break;
        }
        filled += *n;
        if (options_.follow) break;
      }
      if (!failure.ok()) break;
      // Cut at the last newline; the rest goes to the next chunk.
      size_t cut = filled;
      if (!eof) {
        const char* d = c.data.data();
        size_t k = filled;
        while (k > 0 && d[k - 1] != '\n') --k;
        if (k == 0 && filled < kMaxLine) {
          // No newline yet: keep reading into a larger buffer.
          carry.assign(d, filled);
          continue;
        }
        // A line longer than kMaxLine is cut (and read as two lines).
        cut = k == 0 ? filled : k;
        carry.assign(d + cut, filled - cut);
      }
      if (cut == 0 && !eof) continue;
      c.size = cut;
      c.data.resize(cut + kReadPadding);
      std::memset(c.data.data() + cut, 0, kReadPadding);
      if (proto == nullptr) {
        std::string_view sample(c.data.data(), std::min<size_t>(cut, 4096));
        protos.push_back(MakeReader(options_.format, sample, options_.reader));
        proto = protos.back().get();
        tsv = proto->header() != nullptr;
        if (!tsv && options_.format != LogFormat::kLines && IsJsonDocument(sample)) {
          // Not JSON lines: read the whole input and split it into objects.
          std::string all(c.data.data(), cut);
          all += carry;
          carry.clear();
          while (!eof) {
            char buf[1 << 16];
            auto n = in->Read(buf, sizeof buf);
            if (!n.ok()) {
              failure = n.error();
              break;
            }
            if (*n == 0) break;
            all.append(buf, *n);
          }
          if (!failure.ok()) break;
          eof = true;
          c.size = all.size();
          all.append(kReadPadding, '\0');
          c.data = std::move(all);
          c.records = SplitJsonObjects(std::string_view(c.data.data(), c.size), &c.total_lines);
          if (c.total_lines == 0) c.total_lines = 1;
        }
      }
      c.proto = proto;
      if (tsv) {
        if (tracker_changed) {
          header_snapshot = std::make_shared<const ZeekHeader>(tracker);
          tracker_changed = false;
        }
        c.header = header_snapshot;
        // Header lines in this chunk change what follows it.
        tracker_changed |= TrackHeaders(std::string_view(c.data.data(), cut), &tracker);
      }
      c.last = eof;
      c.seq = seq++;
      if (c.size > 0 || eof) dispatch(std::move(c));
    }
  }
  finish_pool();
  if (!failure.ok()) return failure;
  return impl.stats;
}

// ---- output ----------------------------------------------------------------------

using http::AppendJsonString;  // http/access_log.h

std::string MatchJson(const MatchRecord& m, const Matcher& matcher) {
  std::string o;
  o.reserve(256);
  o += "{\"file\":";
  AppendJsonString(&o, m.file);
  o += ",\"line\":" + std::to_string(m.line);
  o += ",\"value\":";
  AppendJsonString(&o, m.value);
  o += ",\"indicator\":\"" + matcher.IndicatorId(m.ordinal) + "\"";
  o += ",\"name\":";
  AppendJsonString(&o, matcher.Name(m.ordinal));
  o += ",\"marking\":[";
  const auto& marks = matcher.Markings(m.ordinal);
  for (size_t i = 0; i < marks.size(); ++i) {
    if (i) o += ',';
    AppendJsonString(&o, marks[i]);
  }
  o += "]";
  stix::Tlp tlp = stix::StrictestTlp(std::span<const std::string>(marks));
  if (tlp != stix::Tlp::kNone) {
    o += ",\"tlp\":\"";
    o += stix::TlpName(tlp);
    o += '"';
  }
  int conf = matcher.Confidence(m.ordinal);
  if (conf >= 0) o += ",\"confidence\":" + std::to_string(conf);
  o += ",\"field\":";
  AppendJsonString(&o, m.field);
  if (!m.log_type.empty()) {
    o += ",\"log\":";
    AppendJsonString(&o, m.log_type);
  }
  o += ",\"how\":\"";
  o += HowName(m.how);
  o += '"';
  if (m.time_us > 0) o += ",\"time\":\"" + FormatTimestamp(m.time_us, 6) + "\"";
  o += '}';
  return o;
}

}  // namespace kizuna::match
