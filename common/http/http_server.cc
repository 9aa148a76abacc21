#include "common/http/http_server.h"

#include <arpa/inet.h>
#include <civetweb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <spdlog/spdlog.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "common/http/civetweb_openssl3.h"

namespace fhc::http {
namespace {

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

int FromHex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes %XX and '+' of a query component.
std::string UrlDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() && FromHex(s[i + 1]) >= 0 &&
               FromHex(s[i + 2]) >= 0) {
      out += static_cast<char>(FromHex(s[i + 1]) * 16 + FromHex(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// host:port -> civetweb's listening_ports syntax ("127.0.0.1:8080", "[::1]:8080", "8080").
std::string ListeningPort(const std::string& listen, bool tls) {
  std::string spec = listen;
  if (!spec.empty() && spec.front() == ':') spec.erase(0, 1);
  return tls ? spec + "s" : spec;
}

Result<std::string> ReadFile(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Result<std::string>::Error(std::string("cannot read ") + what + " \"" + path +
                                      "\": " + std::strerror(errno));
  }
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

void InitLibraryOnce() {
  static std::once_flag once;
  std::call_once(once, [] { mg_init_library(MG_FEATURES_TLS); });
}

// civetweb explains a failed bind only in a log message ("cannot bind to ...: Address already
// in use") while mg_start2 reports "Failed to setup server ports"; Start() runs the binding on its
// own thread, so the messages logged meanwhile are kept here.
thread_local std::string* start_log = nullptr;

int LogCivetweb(const mg_connection*, const char* message) {
  const std::string_view text = message != nullptr ? message : "";
  if (start_log != nullptr) {
    start_log->append(text);
    start_log->push_back('\n');
  }
  spdlog::debug("http server: {}", text);
  return 1;  // handled: civetweb prints nothing itself
}

// Opens and closes a TCP connection to wake civetweb's listener thread, which otherwise notices
// a stop request only when its 2 s poll times out.
void Poke(const std::string& host, int port) {
  const bool v6 = host.find(':') != std::string::npos;
  const int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  if (fd < 0) return;
  if (v6) {
    sockaddr_in6 addr{};
    addr.sin6_family = AF_INET6;
    addr.sin6_port = htons(static_cast<uint16_t>(port));
    if (inet_pton(AF_INET6, host.c_str(), &addr.sin6_addr) == 1) {
      connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    }
  } else {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    if (inet_pton(AF_INET, host.c_str(), &addr.sin_addr) == 1) {
      connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    }
  }
  close(fd);
}

// civetweb's connection_close callback: runs on the worker just above its idle loop, once per
// connection. civetweb wakes its idle workers in turn, so over time each of the 256 runs a
// request, and the stack pages a request touched (civetweb's request buffers and the handler's
// frames, some 15 KB) would stay resident in every worker, about 4 MB in all. Below this frame
// everything is dead: the pages are handed back to the kernel (one madvise; the next request on
// this worker faults them in again).
void ReleaseStackBelowHere(const mg_connection*) {
  thread_local std::uintptr_t stack_low = 0;  // lowest usable address of this thread's stack
  static const auto page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
  if (stack_low == 0) {
    pthread_attr_t attr;
    if (pthread_getattr_np(pthread_self(), &attr) != 0) return;
    void* addr = nullptr;
    std::size_t size = 0;
    const bool known = pthread_attr_getstack(&attr, &addr, &size) == 0;
    pthread_attr_destroy(&attr);
    if (!known) return;
    stack_low = (reinterpret_cast<std::uintptr_t>(addr) + page - 1) & ~(page - 1);
  }
  volatile char here = 0;
  // Two pages of margin for this function's own frame and madvise's.
  const std::uintptr_t top = (reinterpret_cast<std::uintptr_t>(&here) & ~(page - 1)) - 2 * page;
  if (top > stack_low) madvise(reinterpret_cast<void*>(stack_low), top - stack_low, MADV_DONTNEED);
}

// The address to connect to for reaching a listener on `listen` from this host.
std::string LocalAddressOf(const std::string& listen) {
  std::string host = listen.substr(0, listen.rfind(':'));
  if (!host.empty() && host.front() == '[') host = host.substr(1, host.size() - 2);
  if (host.empty() || host == "0.0.0.0") return "127.0.0.1";
  if (host == "::") return "::1";
  if (host == "localhost") return "127.0.0.1";
  return host;
}

}  // namespace

std::string ServerRequest::Header(std::string_view lower_name) const {
  const auto it = headers.find(std::string(lower_name));
  return it == headers.end() ? std::string() : it->second;
}

std::string ServerRequest::QueryParam(std::string_view name) const {
  std::string_view rest = query;
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    const auto eq = pair.find('=');
    if (UrlDecode(pair.substr(0, eq)) == name) {
      return eq == std::string_view::npos ? std::string() : UrlDecode(pair.substr(eq + 1));
    }
    if (amp == std::string_view::npos) break;
    rest.remove_prefix(amp + 1);
  }
  return std::string();
}

struct Server::Impl {
  struct Route {
    std::string method;
    Handler handler;
  };

  ServerOptions options;
  std::map<std::string, std::vector<Route>, std::less<>> routes;
  mg_context* ctx = nullptr;
  int port = 0;

  static int OnRequest(mg_connection* conn);
  void Serve(mg_connection* conn, const mg_request_info& info);
};

namespace {

void Reply(mg_connection* conn, const ServerRequest& request, const ServerResponse& response) {
  mg_response_header_start(conn, response.status);
  mg_response_header_add(conn, "Content-Type", response.content_type.c_str(), -1);
  const std::string length = std::to_string(response.body.size());
  mg_response_header_add(conn, "Content-Length", length.c_str(), -1);
  for (const auto& [name, value] : response.headers) {
    const std::string lower = ToLower(name);
    if (lower == "content-length" || lower == "content-type") continue;
    mg_response_header_add(conn, name.c_str(), value.c_str(), -1);
  }
  mg_response_header_send(conn);
  if (request.method != "HEAD" && !response.body.empty()) {
    mg_write(conn, response.body.data(), response.body.size());
  }
}

ServerResponse Plain(int status, std::string body) {
  ServerResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

}  // namespace

int Server::Impl::OnRequest(mg_connection* conn) {
  const mg_request_info* info = mg_get_request_info(conn);
  if (info == nullptr) return 0;
  auto* impl = static_cast<Impl*>(info->user_data);
  try {
    impl->Serve(conn, *info);
  } catch (const std::exception& e) {
    // Reached only when writing the reply itself failed (e.g. out of memory).
    spdlog::error("http server: {} {}: {}", info->request_method, info->local_uri, e.what());
    mg_disable_connection_keep_alive(conn);
  }
  return 1;
}

void Server::Impl::Serve(mg_connection* conn, const mg_request_info& info) {
  ServerRequest request;
  request.method = info.request_method != nullptr ? info.request_method : "";
  request.path = info.local_uri != nullptr ? info.local_uri : "";
  request.query = info.query_string != nullptr ? info.query_string : "";
  request.remote_addr = info.remote_addr;
  for (int i = 0; i < info.num_headers; ++i) {
    const std::string name = ToLower(info.http_headers[i].name);
    const std::string value =
        info.http_headers[i].value != nullptr ? info.http_headers[i].value : "";
    auto [it, inserted] = request.headers.emplace(name, value);
    if (!inserted) it->second += ", " + value;
  }
  const bool chunked =
      ToLower(request.Header("transfer-encoding")).find("chunked") != std::string::npos;
  const bool has_body = chunked || info.content_length > 0;

  // A reply sent before the body was read must close the connection; otherwise civetweb would
  // read and discard the whole body to keep the connection usable.
  const auto reply_unread = [&](const ServerResponse& response) {
    if (has_body) mg_disable_connection_keep_alive(conn);
    Reply(conn, request, response);
  };

  const auto route = routes.find(request.path);
  if (route == routes.end()) {
    reply_unread(Plain(404, "not found\n"));
    return;
  }
  const Handler* handler = nullptr;
  std::string allow;
  for (const Route& r : route->second) {
    if (r.method == "*" || r.method == request.method) {
      handler = &r.handler;
      break;
    }
    allow += (allow.empty() ? "" : ", ") + r.method;
  }
  if (handler == nullptr) {
    ServerResponse response = Plain(405, "method not allowed\n");
    response.headers.emplace_back("Allow", allow);
    reply_unread(response);
    return;
  }
  const std::size_t max = options.max_body_bytes;
  if (info.content_length > 0 && static_cast<unsigned long long>(info.content_length) > max) {
    reply_unread(Plain(413, "request body larger than " + std::to_string(max) + " bytes\n"));
    return;
  }
  if (has_body) {
    // On the heap: civetweb's worker threads have small stacks.
    std::vector<char> buf(16 * 1024);
    while (request.body.size() <= max) {
      const std::size_t want = std::min(buf.size(), max + 1 - request.body.size());
      const int n = mg_read(conn, buf.data(), want);
      if (n <= 0) break;
      request.body.append(buf.data(), static_cast<std::size_t>(n));
    }
    if (request.body.size() > max) {
      reply_unread(Plain(413, "request body larger than " + std::to_string(max) + " bytes\n"));
      return;
    }
  }

  ServerResponse response;
  try {
    response = (*handler)(request);
  } catch (const std::exception& e) {
    spdlog::error("http handler {} {} failed: {}", request.method, request.path, e.what());
    response = Plain(500, "internal error\n");
  } catch (...) {
    spdlog::error("http handler {} {} failed", request.method, request.path);
    response = Plain(500, "internal error\n");
  }
  Reply(conn, request, response);
}

Server::Server(ServerOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
}

Server::~Server() { Stop(); }

void Server::Route(std::string method, std::string path, Handler handler) {
  impl_->routes[std::move(path)].push_back({std::move(method), std::move(handler)});
}

Status Server::Start() {
  if (impl_->ctx != nullptr) return Status::Error(impl_->options.listen + ": already started");
  InitLibraryOnce();
  const ServerOptions& o = impl_->options;
  const bool tls = !o.tls_cert_file.empty() || !o.tls_key_file.empty();
  if (tls && (o.tls_cert_file.empty() || o.tls_key_file.empty())) {
    return Status::Error(o.listen + ": TLS needs both a certificate file and a key file");
  }

  // civetweb reads key and certificate from one PEM file; ours come as two (as Kubernetes
  // secrets mount them), so they are joined in a private temporary file, removed once loaded.
  std::string pem_path;
  if (tls) {
    auto key = ReadFile(o.tls_key_file, "TLS key file");
    if (!key.ok()) return Status::Error(key.error());
    auto cert = ReadFile(o.tls_cert_file, "TLS certificate file");
    if (!cert.ok()) return Status::Error(cert.error());
    const char* tmpdir = std::getenv("TMPDIR");
    pem_path =
        std::string(tmpdir != nullptr && tmpdir[0] != '\0' ? tmpdir : "/tmp") + "/fhc-tls-XXXXXX";
    const int fd = mkstemp(pem_path.data());  // mode 0600
    if (fd < 0)
      return Status::Error("cannot create a temporary TLS file: " +
                           std::string(std::strerror(errno)));
    const std::string pem = *key + "\n" + *cert + "\n";
    const bool written = write(fd, pem.data(), pem.size()) == static_cast<ssize_t>(pem.size());
    close(fd);
    if (!written) {
      unlink(pem_path.c_str());
      return Status::Error("cannot write a temporary TLS file");
    }
  }

  const std::string ports = ListeningPort(o.listen, tls);
  const std::string threads = std::to_string(o.threads > 0 ? o.threads : 1);
  const std::string timeout = std::to_string(o.request_timeout_ms);
  const std::string keep_alive = std::to_string(o.keep_alive_timeout_ms);
  // civetweb 1.15 (docs/UserManual.md): connection_queue holds accepted connections waiting for
  // a worker (default 20), listen_backlog the ones the kernel holds before accept (default 200).
  std::vector<const char*> config = {"listening_ports",       ports.c_str(),
                                     "num_threads",           threads.c_str(),
                                     "connection_queue",      threads.c_str(),
                                     "listen_backlog",        "1024",
                                     "enable_keep_alive",     "yes",
                                     "keep_alive_timeout_ms", keep_alive.c_str(),
                                     "tcp_nodelay",           "1",
                                     "request_timeout_ms",    timeout.c_str()};
  if (tls) {
    config.insert(config.end(), {"ssl_certificate", pem_path.c_str(), "ssl_protocol_version", "4"});
  }
  config.push_back(nullptr);

  mg_callbacks callbacks{};
  callbacks.begin_request = &Impl::OnRequest;
  callbacks.log_message = &LogCivetweb;
  callbacks.connection_close = &ReleaseStackBelowHere;
  mg_init_data init{};
  init.callbacks = &callbacks;
  init.user_data = impl_.get();
  init.configuration_options = config.data();
  char error_text[256] = {};
  unsigned error_code = 0;
  mg_error_data error{};
  error.code = &error_code;
  error.text = error_text;
  error.text_buffer_size = sizeof error_text;
  if (tls) {
    // mg_init_library(MG_FEATURES_TLS) has loaded OpenSSL: repair civetweb's table before any
    // handshake can reach a worker thread.
    if (const std::string why = RepairCivetwebOpenSsl3(); !why.empty()) {
      if (!pem_path.empty()) unlink(pem_path.c_str());
      return Status::Error(o.listen + ": " + why);
    }
  }
  std::string log_during_start;
  start_log = &log_during_start;
  impl_->ctx = mg_start2(&init, &error);
  start_log = nullptr;
  if (!pem_path.empty()) unlink(pem_path.c_str());
  if (impl_->ctx == nullptr) {
    const std::string text = ToLower(std::string(error_text) + "\n" + log_during_start);
    if (text.find("in use") != std::string::npos) {
      return Status::Error(o.listen + ": address already in use");
    }
    return Status::Error(o.listen + ": " + (error_text[0] != '\0' ? error_text : "cannot start"));
  }
  mg_server_port bound[4] = {};
  const int n = mg_get_server_ports(impl_->ctx, 4, bound);
  impl_->port = n > 0 ? bound[0].port : 0;
  if (tls) {
    // Normally repaired above already; this covers a civetweb that loads OpenSSL in mg_start2.
    if (const std::string why = RepairCivetwebOpenSsl3(); !why.empty()) {
      Stop();
      return Status::Error(o.listen + ": " + why);
    }
  }
  return OkStatus();
}

void Server::Stop() {
  if (impl_->ctx == nullptr) return;
  std::atomic<bool> stopped{false};
  std::thread waker([&] {
    const std::string host = LocalAddressOf(impl_->options.listen);
    while (!stopped) {
      Poke(host, impl_->port);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  mg_stop(impl_->ctx);  // joins the worker threads after their current request
  stopped = true;
  waker.join();
  impl_->ctx = nullptr;
}

int Server::port() const { return impl_->port; }

}  // namespace fhc::http
