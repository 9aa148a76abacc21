#include "common/metrics/family.h"

#include <prometheus/text_serializer.h>

#include <algorithm>
#include <sstream>

namespace fhc::metrics {

prometheus::MetricFamily Family(std::string name, std::string help, prometheus::MetricType type) {
  prometheus::MetricFamily f;
  f.name = std::move(name);
  f.help = std::move(help);
  f.type = type;
  return f;
}

void AddSample(prometheus::MetricFamily& family, double value, const LabelList& labels) {
  prometheus::ClientMetric m;
  for (const auto& [k, v] : labels) m.label.push_back({k, v});
  switch (family.type) {
    case prometheus::MetricType::Counter:
      m.counter.value = value;
      break;
    case prometheus::MetricType::Gauge:
      m.gauge.value = value;
      break;
    default:
      m.untyped.value = value;
      break;
  }
  family.metric.push_back(std::move(m));
}

void AddConstantLabels(std::vector<prometheus::MetricFamily>& families, const LabelList& labels,
                       const std::string& prefix) {
  if (labels.empty()) return;
  for (auto& f : families) {
    if (f.name.rfind(prefix, 0) != 0) continue;
    for (auto& m : f.metric) {
      for (const auto& [k, v] : labels) {
        // clang 14 cannot capture a structured binding in a lambda: name it first.
        const std::string& key = k;
        bool present =
            std::any_of(m.label.begin(), m.label.end(),
                        [&](const prometheus::ClientMetric::Label& l) { return l.name == key; });
        if (!present) m.label.push_back({k, v});
      }
    }
  }
}

std::string Serialize(const std::vector<prometheus::MetricFamily>& families) {
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, families);
  return out.str();
}

}  // namespace fhc::metrics
