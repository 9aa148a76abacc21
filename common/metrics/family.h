#pragma once
// Building prometheus::MetricFamily values by hand, for collectors that produce their series
// anew at every scrape (cameras and detectors come and go with Frigate's configuration).
#include <prometheus/metric_family.h>

#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

namespace fhc::metrics {

using LabelList = std::vector<std::pair<std::string, std::string>>;

prometheus::MetricFamily Family(std::string name, std::string help, prometheus::MetricType type);
// Appends one gauge/counter/untyped sample with the given labels (in the given order).
void AddSample(prometheus::MetricFamily& family, double value, const LabelList& labels = {});

// Adds constant labels to every metric of the families whose name starts with `prefix` (used for
// the optional namespace/deployment labels); labels already present are left alone.
void AddConstantLabels(std::vector<prometheus::MetricFamily>& families, const LabelList& labels,
                       const std::string& prefix);

// The text exposition format (version 0.0.4) of the families.
std::string Serialize(const std::vector<prometheus::MetricFamily>& families);
inline constexpr const char* kTextContentType = "text/plain; version=0.0.4; charset=utf-8";

}  // namespace fhc::metrics
