#pragma once
// Every HTTP server of ours, over civetweb: exact-path routes, a request body limit (413 past it),
// keep-alive with TCP_NODELAY, optional TLS, and a clear error when the port is taken.
//
// civetweb gives each open connection a worker thread of its own for as long as the connection
// sends its request (and between keep-alive requests). So that idle or trickling clients cannot
// starve the liveness probe, a scrape or a webhook, the defaults keep many workers (a parked
// worker costs a sleeping thread) and cut a client that has not sent its whole request in time.
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/core/result.h"

namespace fhc::http {

struct ServerRequest {
  std::string method;
  std::string path;                            // without query
  std::string query;                           // without '?'
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  std::string remote_addr;
  std::string Header(std::string_view lower_name) const;
  std::string QueryParam(std::string_view name) const;  // "" if absent
};

struct ServerResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

using Handler = std::function<ServerResponse(const ServerRequest&)>;

struct ServerOptions {
  std::string listen = "127.0.0.1:0";  // host:port; port 0 picks a free port
  std::size_t max_body_bytes = 1024 * 1024;
  // Connections served at once, idle keep-alive ones included; more wait (connection_queue,
  // then the kernel's listen backlog) until a worker is free.
  int threads = 256;
  std::string tls_cert_file;  // both set: serve HTTPS only
  std::string tls_key_file;
  // A request's headers must arrive within this time from the connection's first byte, and its
  // body within this time from the first body read; each write of a reply gets as long. Past
  // it the connection is dropped and its worker is free again.
  int request_timeout_ms = 10'000;
  // How long a keep-alive connection may sit idle between two requests.
  int keep_alive_timeout_ms = 500;
};

class Server {
 public:
  explicit Server(ServerOptions options);
  ~Server();  // stops if running
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Register before Start(). method "*" matches any; a path with no route gets 404, a known path
  // with another method 405.
  void Route(std::string method, std::string path, Handler handler);
  // Binds and starts serving. Error names the address and the cause ("127.0.0.1:9711: address
  // already in use").
  Status Start();
  // Stops accepting, lets running handlers finish, returns when all threads are gone.
  void Stop();
  int port() const;  // the bound port (after Start)

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace fhc::http
