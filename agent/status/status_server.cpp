#include "agent/status/status_server.hpp"

#include <sys/socket.h>

#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <functional>
#include <mutex>
#include <thread>

#include <fmt/format.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "agent/status/status_api.hpp"
#include "agent/status/status_page.hpp"

namespace bw::agent {

std::optional<ListenAddress> parse_listen_address(std::string_view text, std::string& error) {
  ListenAddress out;
  std::string_view port_text;
  if (!text.empty() && text.front() == '[') {  // [::1]:9917
    const auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      error = fmt::format("status address \"{}\": expected [ipv6]:port", text);
      return std::nullopt;
    }
    out.host = std::string(text.substr(1, close - 1));
    port_text = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos || text.find(':') != colon) {
      error = fmt::format("status address \"{}\": expected host:port (e.g. {})", text, kDefaultStatusAddress);
      return std::nullopt;
    }
    out.host = std::string(text.substr(0, colon));
    port_text = text.substr(colon + 1);
  }
  if (out.host.empty()) {
    error = fmt::format("status address \"{}\": the host is missing (e.g. {})", text, kDefaultStatusAddress);
    return std::nullopt;
  }
  const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), out.port);
  if (port_text.empty() || ec != std::errc() || end != port_text.data() + port_text.size() || out.port < 0 ||
      out.port > 65535) {
    error = fmt::format("status address \"{}\": the port must be a number from 0 to 65535", text);
    return std::nullopt;
  }
  return out;
}

std::uint32_t AlertList::intern(std::string_view name) {
  auto it = name_index_.find(name);
  if (it != name_index_.end()) return it->second;
  const auto index = static_cast<std::uint32_t>(names_.size());
  names_.emplace_back(name);
  name_index_.emplace(std::string(name), index);
  return index;
}

std::string_view AlertList::store(std::string_view text, std::vector<std::string_view>& recent, std::size_t slots) {
  constexpr std::size_t kBlock = 64 * 1024;
  if (recent.empty()) recent.resize(slots);
  auto& slot = recent[std::hash<std::string_view>{}(text) % recent.size()];
  if (slot == text) return slot;
  if (blocks_.empty() || block_used_ + text.size() > block_size_) {
    block_size_ = std::max(kBlock, text.size());
    blocks_.push_back(std::make_unique<char[]>(block_size_));
    block_used_ = 0;
  }
  char* at = blocks_.back().get() + block_used_;
  std::copy(text.begin(), text.end(), at);
  block_used_ += text.size();
  slot = std::string_view(at, text.size());
  return slot;
}

namespace {

void put_size(std::string& out, std::size_t n) {
  const auto v = static_cast<std::uint32_t>(n);
  out.append(reinterpret_cast<const char*>(&v), sizeof v);
}

std::uint32_t get_size(const char* at) {
  std::uint32_t v;
  std::memcpy(&v, at, sizeof v);
  return v;
}

}  // namespace

AlertList::Labels::Label AlertList::Labels::iterator::operator*() const {
  const auto name_size = get_size(at_);
  const char* name = at_ + 4;
  const auto value_size = get_size(name + name_size);
  return {std::string_view(name, name_size), std::string_view(name + name_size + 4, value_size)};
}

AlertList::Labels::iterator& AlertList::Labels::iterator::operator++() {
  at_ += 4 + get_size(at_);
  at_ += 4 + get_size(at_);
  return *this;
}

std::vector<Dimension> AlertList::Labels::to_vector() const {
  std::vector<Dimension> out;
  for (const auto& l : *this) out.push_back({std::string(l.name), std::string(l.value)});
  return out;
}

void AlertList::add(std::string_view rule, std::string_view kind, const std::vector<Dimension>& labels, AlarmState state,
                    std::optional<double> value, std::string_view reason, Time since, bool reason_held) {
  Row row{};
  row.rule = intern(rule);
  row.kind = intern(kind);
  std::string encoded;
  for (const auto& d : labels) {
    put_size(encoded, d.name.size());
    encoded += d.name;
    put_size(encoded, d.value.size());
    encoded += d.value;
  }
  const auto stored_labels = store(encoded, recent_labels_, 4096);
  row.labels = stored_labels.data();
  row.labels_size = static_cast<std::uint32_t>(stored_labels.size());
  row.state = state;
  row.has_value = value.has_value();
  row.value = value.value_or(0);
  row.since = since;
  const auto stored_reason = reason_held ? reason : store(reason, recent_reasons_, 1024);
  row.reason = stored_reason.data();
  row.reason_size = static_cast<std::uint32_t>(stored_reason.size());
  rows_.push_back(row);
}

AlertList::Ref AlertList::operator[](std::size_t i) const {
  const Row& r = rows_[i];
  return Ref{names_[r.rule],
             names_[r.kind],
             Labels(std::string_view(r.labels, r.labels_size)),
             r.state,
             r.has_value ? std::optional<double>(r.value) : std::nullopt,
             std::string_view(r.reason, r.reason_size),
             r.since};
}

namespace {

constexpr std::size_t kChunk = 64 * 1024;

// Receives a response body piece by piece; false when the client went away.
using Writer = std::function<bool(std::string_view)>;

// Collects text and hands it on in pieces of about kChunk bytes.
class Chunker {
 public:
  explicit Chunker(const Writer& write) : write_(write) { buf_.reserve(kChunk + 1024); }
  bool add(std::string_view text) {
    buf_ += text;
    return buf_.size() < kChunk || flush();
  }
  bool flush() {
    if (ok_ && !buf_.empty()) ok_ = write_(buf_);
    buf_.clear();
    return ok_;
  }

 private:
  const Writer& write_;
  std::string buf_;
  bool ok_ = true;
};

// Sends what `produce` writes as a chunked body: a large response (100,000 rule_state series are
// ~10 MB of text) is never held whole, neither by us nor by httplib.
void send_chunked(httplib::Response& res, const char* content_type,
                  std::function<bool(const Writer&)> produce) {
  res.set_chunked_content_provider(content_type,
                                   [produce = std::move(produce)](std::size_t, httplib::DataSink& sink) {
                                     const bool ok = produce([&sink](std::string_view piece) {
                                       return sink.write(piece.data(), piece.size());
                                     });
                                     if (ok) sink.done();
                                     return ok;
                                   });
}

// The text nlohmann::json dumps for {"alerts": [...], "last_cycle": ...}, one alert at a time.
bool alerts_json(const StatusSnapshot& s, bool all, const Writer& write) {
  const auto dump = [](const nlohmann::json& j) { return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace); };
  Chunker out(write);
  if (!out.add("{\"alerts\":[")) return false;
  bool first = true;
  for (const auto& a : s.alerts) {
    if (!all && a.state == AlarmState::Ok) continue;
    auto labels = nlohmann::json::object();
    for (const auto& d : a.labels) labels[std::string(d.name)] = d.value;
    const nlohmann::json alert = {{"rule", a.rule},
                                  {"kind", a.kind},
                                  {"labels", std::move(labels)},
                                  {"state", std::string(to_string(a.state))},
                                  {"value", a.value ? nlohmann::json(*a.value) : nlohmann::json(nullptr)},
                                  {"reason", a.reason},
                                  {"since", format_rfc3339(a.since)}};
    if ((!first && !out.add(",")) || !out.add(dump(alert))) return false;
    first = false;
  }
  const auto last = s.last_cycle ? nlohmann::json(format_rfc3339(*s.last_cycle)) : nlohmann::json(nullptr);
  return out.add("],\"last_cycle\":") && out.add(dump(last)) && out.add("}\n") && out.flush();
}

// Whether `header` is "Bearer TOKEN", compared in time independent of where they differ (a timing
// side channel must not reveal how much of a guess was right).
bool bearer_matches(std::string_view header, std::string_view token) {
  constexpr std::string_view kScheme = "Bearer ";
  if (header.size() < kScheme.size() || header.substr(0, kScheme.size()) != kScheme) return false;
  const auto given = header.substr(kScheme.size());
  unsigned char diff = given.size() == token.size() ? 0 : 1;
  for (std::size_t i = 0; i < token.size(); ++i)
    diff |= static_cast<unsigned char>(token[i] ^ (i < given.size() ? given[i] : ~token[i]));
  return diff == 0;
}

// The page may load nothing from anywhere: no script, no font, no image, no frame; inline styles only.
constexpr const char* kPagePolicy =
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'";

}  // namespace

struct StatusServer::Impl {
  explicit Impl(const AgentMetrics& m) : metrics(m) {}

  const AgentMetrics& metrics;
  httplib::Server server;
  std::thread thread;
  std::atomic<bool> started{false};
  std::atomic<bool> listen_returned{false};
  std::atomic<int> port{0};
  std::string token;  // "" = no authentication; set before start, then only read

  mutable std::mutex mu;  // guards `snapshot` (the pointer, not what it points to)
  std::shared_ptr<const StatusSnapshot> snapshot = std::make_shared<const StatusSnapshot>();

  std::shared_ptr<const StatusSnapshot> current() const {
    std::lock_guard lock(mu);
    return snapshot;
  }
  void routes();
};

void StatusServer::Impl::routes() {
  server.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok\n", "text/plain; charset=utf-8");
  });
  server.Get("/readyz", [this](const httplib::Request&, httplib::Response& res) {
    const auto s = current();
    if (s->ready) {
      res.set_content("ready\n", "text/plain; charset=utf-8");
    } else {
      res.status = 503;
      res.set_content("not ready: " + (s->not_ready_reason.empty() ? std::string("starting") : s->not_ready_reason) +
                          (s->last_error.empty() ? "" : " (last error: " + s->last_error + ")") + "\n",
                      "text/plain; charset=utf-8");
    }
  });
  server.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    send_chunked(res, "text/plain; version=0.0.4; charset=utf-8",
                 [m = &metrics](const Writer& write) { return m->render(write); });
  });
  server.Get("/api/v1/alerts", [this](const httplib::Request& req, httplib::Response& res) {
    const auto all_param = req.get_param_value("all");
    const bool all = all_param == "1" || all_param == "true" || all_param == "yes";
    send_chunked(res, "application/json",
                 [snap = current(), all](const Writer& write) { return alerts_json(*snap, all, write); });
  });
  server.Get("/api/v1/series", [this](const httplib::Request& req, httplib::Response& res) {
    const auto param = [&req](const char* name) {
      return req.has_param(name) ? std::optional<std::string>(req.get_param_value(name)) : std::nullopt;
    };
    const auto rule = param("rule"), series = param("series");
    if (auto body = series_json(*current(), rule, series)) {
      res.set_content(*body, "application/json");
      return;
    }
    res.status = 404;
    const nlohmann::json error = {{"error", fmt::format("no series with a metric for rule \"{}\"{}", rule.value_or("*"),
                                                        series ? " and series \"" + *series + "\"" : "")}};
    res.set_content(error.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n", "application/json");
  });
  server.Get("/api/v1/jobs", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(jobs_json(*current()), "application/json");
  });
  server.Get("/", [this](const httplib::Request&, httplib::Response& res) {
    const auto snap = current();
    render_status_page(*snap, snap->last_cycle.value_or(std::chrono::floor<Duration>(std::chrono::system_clock::now())),
                       res.body);
    res.set_header("Content-Type", "text/html; charset=utf-8");
    res.set_header("Content-Security-Policy", kPagePolicy);
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_header("Cache-Control", "no-store");
  });
  server.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    if (token.empty() || req.path == "/healthz" || req.path == "/readyz") return httplib::Server::HandlerResponse::Unhandled;
    if (bearer_matches(req.get_header_value("Authorization"), token)) return httplib::Server::HandlerResponse::Unhandled;
    res.status = 401;
    res.set_header("WWW-Authenticate", "Bearer realm=\"batchwatch\"");
    res.set_content("unauthorized: this status server needs \"Authorization: Bearer <server.auth_token>\"\n",
                    "text/plain; charset=utf-8");
    return httplib::Server::HandlerResponse::Handled;
  });
  server.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (res.body.empty())
      res.set_content(res.status == 404 ? "not found\n" : fmt::format("error {}\n", res.status), "text/plain");
  });
  server.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
    std::string what = "unknown error";
    try {
      if (ep) std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    res.status = 500;
    res.set_content("internal error: " + what + "\n", "text/plain");
  });
}

StatusServer::StatusServer(const AgentMetrics& metrics) : impl_(std::make_unique<Impl>(metrics)) { impl_->routes(); }

StatusServer::~StatusServer() { stop(); }

void StatusServer::require_token(std::string token) { impl_->token = std::move(token); }

std::string StatusServer::start(std::string_view address) {
  if (impl_->started.exchange(true)) return "status server: already started";
  std::string error;
  const auto addr = parse_listen_address(address, error);
  if (!addr) {
    impl_->started = false;
    return error;
  }
  auto& server = impl_->server;
  // SO_REUSEADDR (restart while old connections linger) but not httplib's default SO_REUSEPORT, which
  // would let a second process bind a port already in use instead of failing.
  server.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  server.new_task_queue = [] { return new httplib::ThreadPool(4); };
  server.set_read_timeout(5);
  server.set_write_timeout(5);
  server.set_keep_alive_timeout(2);

  errno = 0;
  int port = addr->port;
  if (addr->port == 0) port = server.bind_to_any_port(addr->host);
  else if (!server.bind_to_port(addr->host, addr->port)) port = -1;
  if (port < 0) {
    const int err = errno;
    impl_->started = false;
    return fmt::format("status server: cannot listen on {}{}", address,
                       err != 0 ? fmt::format(": {}", std::strerror(err)) : std::string(" (port in use or bad host?)"));
  }
  impl_->port = port;
  impl_->thread = std::thread([impl = impl_.get()] {
    impl->server.listen_after_bind();
    impl->listen_returned = true;
  });
  // httplib's stop() only acts once the accept loop runs, so wait for it (it starts at once).
  while (!server.is_running() && !impl_->listen_returned) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  if (!server.is_running()) {
    impl_->thread.join();
    impl_->started = false;
    impl_->port = 0;
    return fmt::format("status server: listening on {} failed", address);
  }
  return "";
}

void StatusServer::stop() {
  if (!impl_->started) return;
  impl_->server.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
  impl_->started = false;
}

bool StatusServer::running() const { return impl_->started && impl_->server.is_running(); }

int StatusServer::port() const { return impl_->port; }

void StatusServer::publish(StatusSnapshot snapshot) {
  auto next = std::make_shared<const StatusSnapshot>(std::move(snapshot));
  std::lock_guard lock(impl_->mu);
  impl_->snapshot.swap(next);  // the old snapshot is freed outside the lock (by `next`)
}

std::shared_ptr<const StatusSnapshot> StatusServer::snapshot() const { return impl_->current(); }

}  // namespace bw::agent
