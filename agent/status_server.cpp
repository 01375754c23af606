#include "agent/status_server.hpp"

#include <sys/socket.h>

#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <mutex>
#include <thread>

#include <fmt/format.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

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

struct StatusServer::Impl {
  explicit Impl(const AgentMetrics& m) : metrics(m) {}

  const AgentMetrics& metrics;
  httplib::Server server;
  std::thread thread;
  std::atomic<bool> started{false};
  std::atomic<bool> listen_returned{false};
  std::atomic<int> port{0};

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
    res.set_content(metrics.render(), "text/plain; version=0.0.4; charset=utf-8");
  });
  server.Get("/api/v1/alerts", [this](const httplib::Request& req, httplib::Response& res) {
    const auto all = req.get_param_value("all");
    res.set_content(alerts_json(*current(), all == "1" || all == "true" || all == "yes"), "application/json");
  });
  server.Get("/", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(summary_text(*current()), "text/plain; charset=utf-8");
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

std::string StatusServer::alerts_json(const StatusSnapshot& s, bool all) {
  auto alerts = nlohmann::json::array();
  for (const auto& a : s.alerts) {
    if (!all && a.state == AlarmState::Ok) continue;
    auto labels = nlohmann::json::object();
    for (const auto& d : a.labels) labels[d.name] = d.value;
    alerts.push_back({{"rule", a.rule},
                      {"kind", a.kind},
                      {"labels", std::move(labels)},
                      {"state", std::string(to_string(a.state))},
                      {"value", a.value ? nlohmann::json(*a.value) : nlohmann::json(nullptr)},
                      {"reason", a.reason},
                      {"since", format_rfc3339(a.since)}});
  }
  nlohmann::json out = {{"alerts", std::move(alerts)}};
  out["last_cycle"] = s.last_cycle ? nlohmann::json(format_rfc3339(*s.last_cycle)) : nlohmann::json(nullptr);
  return out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string StatusServer::summary_text(const StatusSnapshot& s) {
  std::string out = "batchwatch status\n";
  out += fmt::format("ready: {}\n", s.ready ? "yes" : "no (" + s.not_ready_reason + ")");
  out += fmt::format("last cycle: {}\n", s.last_cycle ? format_rfc3339(*s.last_cycle) : "never");
  if (!s.last_error.empty()) out += "last error: " + s.last_error + "\n";
  std::size_t not_ok = 0;
  for (const auto& a : s.alerts) not_ok += a.state != AlarmState::Ok;
  out += fmt::format("series: {} ({} not OK)\n", s.alerts.size(), not_ok);
  for (const auto& a : s.alerts) {
    if (a.state == AlarmState::Ok) continue;
    std::string labels;
    for (const auto& d : a.labels) labels += (labels.empty() ? "" : ",") + d.name + "=" + d.value;
    out += fmt::format("  {:<17} {} {{{}}} since {}{}\n", to_string(a.state), a.rule, labels, format_rfc3339(a.since),
                       a.reason.empty() ? "" : ": " + a.reason);
  }
  if (!s.outbox.empty()) out += "outbox:\n";
  for (const auto& [target, counts] : s.outbox)
    out += fmt::format("  {}: {} pending, {} dead\n", target, counts.pending, counts.dead);
  out += "endpoints: /healthz /readyz /metrics /api/v1/alerts[?all=1]\n";
  return out;
}

}  // namespace bw::agent
