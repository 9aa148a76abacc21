#pragma once
// `frigate-exporter healthcheck` / `frigate-remediator healthcheck`: asks the program's own
// server for GET /healthz on LISTEN's port and exits 0 when it answers 200, else 1. For the
// image's HEALTHCHECK, which then needs no shell, curl or wget in the image.
#include <chrono>
#include <iosfwd>
#include <string>

#include "common/core/result.h"
#include "common/http/http_client.h"

namespace fhc::program {

// The /healthz URL for a server listening on `listen` ("host:port", "[v6]:port", ":port").
// A wildcard or empty host is asked on loopback (0.0.0.0 and "" -> 127.0.0.1, [::] -> [::1]);
// any other host as given. https when the server serves TLS. Port 0 (a random port) cannot be
// asked: error.
Result<std::string> HealthcheckUrl(const std::string& listen, bool tls);

// Whole exchange, below the Dockerfile's HEALTHCHECK --timeout=5s so the program reports why.
inline constexpr std::chrono::milliseconds kHealthcheckTimeout{4000};

// GETs `url` (TLS certificate not verified: the program asks itself, on loopback, and its
// certificate names the service, not 127.0.0.1). Writes one line to `out` ("healthy: ..." or
// "unhealthy: ..." with the status or the transport error) and returns the exit code: 0 on 200,
// 1 otherwise (Docker reads 0 healthy, 1 unhealthy).
int Healthcheck(http::Client& client, const std::string& url, std::ostream& out,
                std::chrono::milliseconds timeout = kHealthcheckTimeout);

// The `healthcheck` command of both programs: the URL for LISTEN, then Healthcheck() with a curl
// client, its line on stdout. A LISTEN that cannot be asked is reported the same way (exit 1).
int RunHealthcheck(const std::string& listen, bool tls);

// True when argv's words include "healthcheck": a bad setting then exits 1, not 2, since Docker
// reserves exit code 2 of a HEALTHCHECK command.
bool AsksHealthcheck(int argc, char** argv);

}  // namespace fhc::program
