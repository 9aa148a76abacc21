#pragma once
// The Kubernetes API configuration from the common settings, shared by both programs.
#include <map>
#include <string>

#include "common/core/result.h"
#include "common/kube/kube_client.h"

namespace fhc::kube {

// Explicit (KUBE_API_URL, KUBE_TOKEN_FILE, KUBE_CA_FILE, KUBE_INSECURE_SKIP_TLS_VERIFY) when
// KUBE_API_URL is set, else the pod's service account when running in a cluster; otherwise an
// error line naming KUBE_API_URL.
Result<Config> ConfigFromSettings(const std::string& api_url, const std::string& token_file,
                                  const std::string& ca_file, bool insecure, double timeout_seconds,
                                  const std::map<std::string, std::string>& env);

}  // namespace fhc::kube
