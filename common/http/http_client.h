#pragma once
// The HTTP client seam. Production uses CurlHttpClient; tests use it against loopback servers or
// a fake implementing HttpClient.
#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fhc::http {

struct Request {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::milliseconds timeout{10'000};  // whole exchange (ignored by Stream())
  std::chrono::milliseconds connect_timeout{5'000};
  std::size_t max_response_bytes = 16 * 1024 * 1024;  // larger bodies fail with an error
  std::string bearer_token;                           // sent as Authorization: Bearer
  std::string basic_user, basic_password;             // sent as basic auth when user non-empty
  std::string ca_file;                                // extra CA bundle for https
  std::string client_cert_file, client_key_file;      // TLS client certificate (PEM), if any
  bool insecure_skip_verify = false;
  // Connect to this Unix socket instead of the URL's host (the URL's path and Host header stay:
  // "http://docker/v1.41/_ping" as the docker CLI sends).
  std::string unix_socket;
};

struct Response {
  int status = 0;  // HTTP status; 0 when no response was received
  std::string body;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string error;  // transport error ("timeout after 2000 ms", "response larger than ...")
  bool ok() const { return error.empty(); }  // a response arrived (any status)
  std::string Header(std::string_view lower_name) const;
};

// Called with each chunk of a streamed body; return false to stop the stream.
using ChunkHandler = std::function<bool(std::string_view chunk)>;

class Client {
 public:
  virtual ~Client() = default;
  // Thread-safe; never throws.
  virtual Response Send(const Request& request) = 0;
  // Streams the body to on_chunk until it ends, on_chunk returns false, or *cancel becomes true
  // (checked at least every 200 ms). When a 2xx answer's headers are complete, on_chunk is called
  // once with an empty chunk (the stream is open, however long until its first byte). Only a 2xx
  // body is streamed: a non-2xx answer's body is returned in Response.body (bounded by
  // max_response_bytes), which is otherwise empty; status/headers/error as Send().
  // request.timeout does not apply; a stall of longer than idle_timeout with no bytes fails.
  virtual Response Stream(const Request& request, const ChunkHandler& on_chunk,
                          const std::atomic<bool>* cancel,
                          std::chrono::milliseconds idle_timeout) = 0;
};

// libcurl-backed client. One instance may be shared by threads.
class CurlClient final : public Client {
 public:
  CurlClient();
  ~CurlClient() override;
  Response Send(const Request& request) override;
  Response Stream(const Request& request, const ChunkHandler& on_chunk,
                  const std::atomic<bool>* cancel, std::chrono::milliseconds idle_timeout) override;
};

}  // namespace fhc::http
