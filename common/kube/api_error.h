#pragma once
// How a Kubernetes API call ended, in kinds a caller branches on (a 409 on create means "someone
// else made it", a 409 on replace means "re-read and re-apply"), with the API server's own words.
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "common/http/http_client.h"

namespace fhc::kube {

enum class ApiError {
  kNone,
  kNotFound,       // 404
  kConflict,       // 409 reason Conflict: stale resourceVersion
  kAlreadyExists,  // 409 reason AlreadyExists: create of an existing name
  kUnauthorized,   // 401
  kForbidden,      // 403 (RBAC)
  kInvalid,        // 400, 422
  kThrottled,      // 429
  kTransport,      // no response (connect, TLS, timeout)
  kServer,         // 5xx
  kBadResponse,    // 2xx whose body is not the expected object
  kPaused,         // refused on our side: the deployment is paused
  kOther,
};

std::string_view ApiErrorName(ApiError error);

struct ApiStatus {
  ApiError error = ApiError::kNone;
  int http_status = 0;
  std::string message;  // Status.message, transport error or our own refusal
  bool ok() const { return error == ApiError::kNone; }
};

// Classifies a response: 2xx is kNone; otherwise the kind from the code and the Status reason.
ApiStatus ClassifyResponse(const http::Response& response);

// A value when the call succeeded, else the status saying why not.
template <typename T>
struct ApiResult {
  ApiStatus status;
  std::optional<T> value;

  static ApiResult Success(T v, int http_status = 200) {
    ApiResult r;
    r.status.http_status = http_status;
    r.value = std::move(v);
    return r;
  }
  static ApiResult Failure(ApiStatus s) {
    ApiResult r;
    r.status = std::move(s);
    return r;
  }
  bool ok() const { return status.ok() && value.has_value(); }
  ApiError error() const { return status.error; }
  const T& operator*() const { return *value; }
  const T* operator->() const { return &*value; }
};

}  // namespace fhc::kube
