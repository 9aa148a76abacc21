#include "common/program/healthcheck.h"

#include <iostream>
#include <string_view>

namespace fhc::program {

Result<std::string> HealthcheckUrl(const std::string& listen, bool tls) {
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos) {
    return Result<std::string>::Error("LISTEN \"" + listen + "\" has no port");
  }
  std::string host = listen.substr(0, colon);
  const std::string port = listen.substr(colon + 1);
  if (port.empty() || port.find_first_not_of("0123456789") != std::string::npos) {
    return Result<std::string>::Error("LISTEN \"" + listen + "\" has no port");
  }
  if (port.find_first_not_of('0') == std::string::npos) {
    return Result<std::string>::Error("LISTEN \"" + listen +
                                      "\" picks a random port (0): nothing to ask");
  }
  if (host.empty() || host == "0.0.0.0") host = "127.0.0.1";
  if (host == "[::]" || host == "[0:0:0:0:0:0:0:0]") host = "[::1]";
  std::string url = tls ? "https://" : "http://";
  url.append(host).append(":").append(port).append("/healthz");
  return url;
}

int Healthcheck(http::Client& client, const std::string& url, std::ostream& out,
                std::chrono::milliseconds timeout) {
  http::Request request;
  request.url = url;
  request.timeout = timeout;
  request.connect_timeout = timeout;
  request.max_response_bytes = 64 * 1024;
  request.insecure_skip_verify = true;
  const http::Response response = client.Send(request);
  if (!response.ok()) {
    out << "unhealthy: GET " << url << ": " << response.error << "\n";
    return 1;
  }
  if (response.status != 200) {
    out << "unhealthy: GET " << url << " answered " << response.status << "\n";
    return 1;
  }
  out << "healthy: GET " << url << " answered 200\n";
  return 0;
}

int RunHealthcheck(const std::string& listen, bool tls) {
  auto url = HealthcheckUrl(listen, tls);
  if (!url) {
    std::cout << "unhealthy: " << url.error() << "\n";
    return 1;
  }
  http::CurlClient client;
  return Healthcheck(client, *url, std::cout);
}

bool AsksHealthcheck(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::string_view(argv[i]) == "healthcheck") return true;
  }
  return false;
}

}  // namespace fhc::program
