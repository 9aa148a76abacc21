#include "common/kube/settings_config.h"

#include "common/settings/settings.h"

namespace fhc::kube {

Result<Config> ConfigFromSettings(const std::string& api_url, const std::string& token_file,
                                  const std::string& ca_file, bool insecure, double timeout_seconds,
                                  const std::map<std::string, std::string>& env) {
  Config c;
  if (!api_url.empty()) {
    c.api_url = api_url;
    c.token_file = token_file;
    c.ca_file = ca_file;
    c.insecure_skip_verify = insecure;
  } else if (InCluster(env)) {
    auto in = InClusterConfig(env);
    if (!in) return Result<Config>::Error("in-cluster Kubernetes configuration: " + in.error());
    c = std::move(in).value();
    if (!ca_file.empty()) c.ca_file = ca_file;
    c.insecure_skip_verify = insecure;
  } else {
    return Result<Config>::Error(settings::InvalidSettingMessage(
        "KUBE_API_URL", "", "the Kubernetes API URL when running outside a cluster"));
  }
  c.timeout = std::chrono::milliseconds(static_cast<long>(timeout_seconds * 1000));
  return c;
}

}  // namespace fhc::kube
