#include "common/kube/kube_client.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <sstream>
#include <thread>

#include "common/kube/object_json.h"
#include "common/kube/pod_list.h"
#include "common/kube/rfc3339.h"

namespace fhc::kube {
namespace {

constexpr auto kTokenMaxAge = std::chrono::seconds(60);

bool IsRetryableStatus(int status) { return status == 429 || (status >= 500 && status <= 599); }

std::string Trim(std::string s) {
  auto not_space = [](unsigned char c) { return !std::isspace(c); };
  s.erase(s.begin(), std::find_if(s.begin(), s.end(), not_space));
  s.erase(std::find_if(s.rbegin(), s.rend(), not_space).base(), s.end());
  return s;
}

std::optional<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string HeaderOf(const http::Response& r, const std::string& lower_name) {
  auto it = r.headers.find(lower_name);
  return it == r.headers.end() ? "" : it->second;
}

std::string NamespacedPath(std::string_view group_version, const std::string& ns,
                           std::string_view resource, const std::string& name = "") {
  std::string path =
      std::string(group_version) + "/namespaces/" + UrlEncode(ns) + "/" + std::string(resource);
  // Appended piecewise: `"/" + UrlEncode(name)` trips GCC 12's -Wrestrict false positive at -O3.
  if (!name.empty()) path.append("/").append(UrlEncode(name));
  return path;
}

}  // namespace

std::string UrlEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string StatusMessage(const http::Response& response) {
  auto doc = detail::ParseObject(response.body);
  if (doc.ok() && detail::StringAt(*doc, {"kind"}) == "Status") {
    std::string message = detail::StringAt(*doc, {"message"});
    if (!message.empty()) return message;
  }
  return response.body;
}

Client::Client(Config config, http::Client& http, const Clock& clock, Sleeper sleep)
    : sleep_(std::move(sleep)), config_(std::move(config)), http_(http), clock_(clock) {
  if (!sleep_) sleep_ = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
  while (!config_.api_url.empty() && config_.api_url.back() == '/') config_.api_url.pop_back();
}

std::string Client::Token() {
  std::lock_guard lock(token_mu_);
  if (config_.token_file.empty()) return "";
  MonoTime now = clock_.Monotonic();
  if (!token_read_at_ || now - *token_read_at_ >= kTokenMaxAge) {
    // A failed read keeps the last good token: the kubelet swaps the file atomically, so a
    // miss is transient, and an empty token would only trade one 401 for another.
    if (auto text = ReadFile(config_.token_file)) token_ = Trim(*text);
    token_read_at_ = now;
  }
  return token_;
}

void Client::InvalidateToken() {
  std::lock_guard lock(token_mu_);
  token_read_at_.reset();
}

http::Request Client::BaseRequest(const std::string& method, const std::string& path) {
  http::Request r;
  r.method = method;
  r.url = config_.api_url + path;
  r.headers.emplace_back("Accept", "application/json");
  r.headers.emplace_back("User-Agent", "frigate-health/" FHC_VERSION);
  r.timeout = config_.timeout;
  r.ca_file = config_.ca_file;
  r.insecure_skip_verify = config_.insecure_skip_verify;
  return r;
}

http::Response Client::Exchange(http::Request request) {
  // A POST may have been applied when an answer (even a 5xx) came back; only a missing answer
  // is safe to repeat. GET/PUT (conditional)/PATCH (same patch) are safe to repeat.
  const bool idempotent = request.method != "POST";
  const int attempts = std::max(1, config_.max_attempts);
  bool token_refreshed = false;
  for (int attempt = 1;; ++attempt) {
    request.bearer_token = Token();
    http::Response response = http_.Send(request);
    const bool answered = response.ok() && response.status != 0;
    if (answered && response.status == 401 && !token_refreshed && !config_.token_file.empty()) {
      // The token may have rotated since we cached it: re-read now and try once more, without
      // counting this against the transport retry budget.
      token_refreshed = true;
      InvalidateToken();
      --attempt;
      continue;
    }
    const bool retry = !answered || (idempotent && IsRetryableStatus(response.status));
    if (!retry || attempt >= attempts) return response;
    auto backoff = config_.initial_backoff * (1LL << std::min(attempt - 1, 20));
    if (response.status == 429) {
      // Honour a Retry-After in seconds, within our own ceiling.
      std::string after = HeaderOf(response, "retry-after");
      long long secs = 0;
      auto [p, ec] = std::from_chars(after.data(), after.data() + after.size(), secs);
      if (ec == std::errc() && p == after.data() + after.size() && secs > 0) {
        backoff = std::max<std::chrono::milliseconds>(backoff, std::chrono::seconds(secs));
      }
    }
    sleep_(std::min<std::chrono::milliseconds>(backoff, config_.max_backoff));
  }
}

http::Response Client::Get(const std::string& path) { return Exchange(BaseRequest("GET", path)); }

http::Response Client::Send(const std::string& method, const std::string& path,
                            const std::string& content_type, const std::string& body) {
  http::Request r = BaseRequest(method, path);
  if (!content_type.empty()) r.headers.emplace_back("Content-Type", content_type);
  r.body = body;
  return Exchange(std::move(r));
}

template <typename T, typename Parse>
ApiResult<T> Client::Decode(const http::Response& response, Parse parse) {
  ApiStatus status = ClassifyResponse(response);
  if (!status.ok()) return ApiResult<T>::Failure(std::move(status));
  Result<T> parsed = parse(response.body);
  if (!parsed.ok()) {
    return ApiResult<T>::Failure({ApiError::kBadResponse, response.status, parsed.error()});
  }
  return ApiResult<T>::Success(std::move(parsed).value(), response.status);
}

Result<std::vector<PodInfo>> Client::ListPods(const std::string& ns, const std::string& selector) {
  using R = Result<std::vector<PodInfo>>;
  std::string path = NamespacedPath("/api/v1", ns, "pods");
  if (!selector.empty()) path += "?labelSelector=" + UrlEncode(selector);
  http::Response response = Get(path);
  ApiStatus status = ClassifyResponse(response);
  if (!status.ok()) return R::Error("list pods in " + ns + ": " + status.message);
  auto pods = ParsePodList(response.body);
  if (!pods.ok()) return pods;
  OrderPods(*pods);
  return pods;
}

http::Response Client::FollowLog(const std::string& ns, const std::string& pod,
                                 const std::string& container, long since_seconds,
                                 const http::ChunkHandler& on_chunk,
                                 const std::atomic<bool>* cancel) {
  std::string path = NamespacedPath("/api/v1", ns, "pods", pod) + "/log?follow=true";
  if (!container.empty()) path += "&container=" + UrlEncode(container);
  if (since_seconds > 0) path += "&sinceSeconds=" + std::to_string(since_seconds);
  http::Request request = BaseRequest("GET", path);
  request.headers[0].second = "text/plain, */*";
  // No retry loop here: the caller reconnects with its own policy. A 401 gets one fresh token.
  for (int round = 0;; ++round) {
    request.bearer_token = Token();
    http::Response response = http_.Stream(request, on_chunk, cancel, config_.log_idle_timeout);
    if (response.status == 401 && round == 0 && !config_.token_file.empty()) {
      InvalidateToken();
      continue;
    }
    return response;
  }
}

ApiResult<NodeInfo> Client::GetNode(const std::string& name) {
  return Decode<NodeInfo>(Get("/api/v1/nodes/" + UrlEncode(name)), ParseNode);
}

ApiResult<DeploymentInfo> Client::GetDeployment(const std::string& ns, const std::string& name) {
  return Decode<DeploymentInfo>(Get(NamespacedPath("/apis/apps/v1", ns, "deployments", name)),
                                ParseDeployment);
}

ApiResult<DeploymentInfo> Client::RestartDeployment(const std::string& ns, const std::string& name,
                                                    WallTime now,
                                                    const std::string& field_manager) {
  auto current = GetDeployment(ns, name);
  if (!current.ok()) return current;
  if (current->paused) {
    return ApiResult<DeploymentInfo>::Failure(
        {ApiError::kPaused, 0, std::string(kPausedRestartMessage)});
  }
  std::string path = NamespacedPath("/apis/apps/v1", ns, "deployments", name);
  if (!field_manager.empty()) path += "?fieldManager=" + UrlEncode(field_manager);
  return Decode<DeploymentInfo>(Send("PATCH", path, "application/strategic-merge-patch+json",
                                     RestartPatchBody(FormatRfc3339Local(now))),
                                ParseDeployment);
}

ApiResult<ConfigMap> Client::GetConfigMap(const std::string& ns, const std::string& name) {
  return Decode<ConfigMap>(Get(NamespacedPath("/api/v1", ns, "configmaps", name)), ParseConfigMap);
}

ApiResult<ConfigMap> Client::CreateConfigMap(const ConfigMap& cm) {
  ConfigMap fresh = cm;
  fresh.resource_version.clear();  // the server assigns it; sending one is an error
  return Decode<ConfigMap>(Send("POST", NamespacedPath("/api/v1", cm.namespace_, "configmaps"),
                                "application/json", SerializeConfigMap(fresh)),
                           ParseConfigMap);
}

ApiResult<ConfigMap> Client::ReplaceConfigMap(const ConfigMap& cm) {
  if (cm.resource_version.empty()) {
    // Without it the API server would overwrite blindly and lost updates would go unnoticed.
    return ApiResult<ConfigMap>::Failure(
        {ApiError::kInvalid, 0, "replace of configmap " + cm.name + " needs a resourceVersion"});
  }
  return Decode<ConfigMap>(
      Send("PUT", NamespacedPath("/api/v1", cm.namespace_, "configmaps", cm.name),
           "application/json", SerializeConfigMap(cm)),
      ParseConfigMap);
}

}  // namespace fhc::kube
