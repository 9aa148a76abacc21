#include "exporter/metrics/stats_collector.h"

#include <array>
#include <iterator>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <utility>

#include "common/metrics/family.h"

namespace fhc::exporter {
namespace {

using metrics::Family;
using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

// Labels go straight into the ClientMetric (moved, not copied: Collect runs on every scrape and
// a 100-camera Frigate has about 1500 series here).
using LabelList = std::vector<ClientMetric::Label>;

void AddSample(MetricFamily& family, double value, LabelList labels) {
  ClientMetric& metric = family.metric.emplace_back();
  metric.label = std::move(labels);
  metric.gauge.value = value;
}

// One gauge family read from each item of a list (cameras, detectors, storage paths, ...).
template <typename Item>
struct Gauge {
  const char* name;
  const char* help;
  std::optional<double> (*read)(const Item&);
};

constexpr double kMillisecondsToSeconds = 0.001;
constexpr double kBytesPerNethogsKilobyte = 1024;  // nethogs reports KB/s of 1024 bytes

std::optional<double> ZeroOne(std::optional<bool> flag) {
  if (!flag) return std::nullopt;
  return *flag ? 1.0 : 0.0;
}

std::optional<double> Scaled(std::optional<double> value, double factor) {
  if (!value) return std::nullopt;
  return *value * factor;
}

constexpr std::array<Gauge<CameraStats>, 7> kCameraGauges = {{
    {"frigate_camera_fps",
     "Frames per second Frigate reads from the camera's detect stream; 0 means the camera is "
     "offline.",
     [](const CameraStats& c) { return c.camera_fps; }},
    {"frigate_process_fps", "Frames per second Frigate processes for the camera.",
     [](const CameraStats& c) { return c.process_fps; }},
    {"frigate_skipped_fps",
     "Frames per second Frigate drops for the camera because it cannot keep up.",
     [](const CameraStats& c) { return c.skipped_fps; }},
    {"frigate_detection_fps", "Object detection calls per second for the camera.",
     [](const CameraStats& c) { return c.detection_fps; }},
    {"frigate_detection_enabled", "1 when object detection is enabled for the camera, else 0.",
     [](const CameraStats& c) { return ZeroOne(c.detection_enabled); }},
    {"frigate_audio_dbfs",
     "Audio level of the camera in dBFS (Frigate's frigate_audio_dBFS); 0 when audio detection "
     "is off.",
     [](const CameraStats& c) { return c.audio_dbfs; }},
    {"frigate_audio_rms", "Audio RMS level of the camera; 0 when audio detection is off.",
     [](const CameraStats& c) { return c.audio_rms; }},
}};

constexpr std::array<Gauge<DetectorStats>, 2> kDetectorGauges = {{
    {"frigate_detector_inference_speed_seconds",
     "Moving average of the detector's inference time in seconds.",
     [](const DetectorStats& d) { return Scaled(d.inference_speed_ms, kMillisecondsToSeconds); }},
    {"frigate_detection_start",
     "Unix time the detector's current inference started, 0 when idle; compare with "
     "frigate_service_last_updated_timestamp.",
     [](const DetectorStats& d) { return d.detection_start; }},
}};

constexpr std::array<Gauge<FrigateStats>, 3> kServiceGauges = {{
    {"frigate_detection_total_fps", "Object detection calls per second over all cameras.",
     [](const FrigateStats& s) { return s.detection_fps_total; }},
    {"frigate_service_uptime_seconds", "Seconds since Frigate started.",
     [](const FrigateStats& s) { return s.uptime_seconds; }},
    {"frigate_service_last_updated_timestamp",
     "Unix time Frigate took the stats snapshot these values come from.",
     [](const FrigateStats& s) { return s.last_updated; }},
}};

constexpr std::array<Gauge<StorageStats>, 3> kStorageGauges = {{
    {"frigate_storage_free_bytes", "Free space of the storage path in bytes.",
     [](const StorageStats& s) { return s.free_bytes; }},
    {"frigate_storage_total_bytes", "Size of the storage path in bytes.",
     [](const StorageStats& s) { return s.total_bytes; }},
    {"frigate_storage_used_bytes", "Used space of the storage path in bytes.",
     [](const StorageStats& s) { return s.used_bytes; }},
}};

constexpr std::array<Gauge<ProcessUsage>, 2> kProcessGauges = {{
    {"frigate_cpu_usage_percent",
     "CPU use of a Frigate process in percent of one core (can exceed 100).",
     [](const ProcessUsage& u) { return u.cpu_percent; }},
    {"frigate_mem_usage_percent", "Memory use of a Frigate process in percent of the host's.",
     [](const ProcessUsage& u) { return u.mem_percent; }},
}};

constexpr std::array<Gauge<GpuUsage>, 5> kGpuGauges = {{
    {"frigate_gpu_usage_percent", "GPU use in percent.",
     [](const GpuUsage& g) { return g.gpu_percent; }},
    {"frigate_gpu_mem_usage_percent", "GPU memory use in percent.",
     [](const GpuUsage& g) { return g.mem_percent; }},
    {"frigate_gpu_encoder_usage_percent", "GPU video encoder use in percent (NVIDIA).",
     [](const GpuUsage& g) { return g.encoder_percent; }},
    {"frigate_gpu_decoder_usage_percent",
     "GPU video decoder use in percent (NVIDIA; Intel video and video-enhance engines).",
     [](const GpuUsage& g) { return g.decoder_percent; }},
    {"frigate_gpu_compute_usage_percent",
     "GPU compute use in percent (Intel render/3D and compute engines).",
     [](const GpuUsage& g) { return g.compute_percent; }},
}};

constexpr std::array<Gauge<BandwidthUsage>, 1> kBandwidthGauges = {{
    {"frigate_bandwidth_usage_bytes_per_second",
     "Network traffic of a Frigate process in bytes per second (Frigate's "
     "frigate_bandwidth_usages_kBps times 1024).",
     [](const BandwidthUsage& b) {
       return Scaled(b.kilobytes_per_second, kBytesPerNethogsKilobyte);
     }},
}};

// Appends, for each gauge of the table, a family with one series per item that has a value.
template <typename Items, typename Item, std::size_t N, typename LabelsOf>
void AppendFamilies(const Items& items, const std::array<Gauge<Item>, N>& gauges,
                    LabelsOf labels_of, std::vector<MetricFamily>* out) {
  for (const auto& gauge : gauges) {
    MetricFamily family = Family(gauge.name, gauge.help, MetricType::Gauge);
    family.metric.reserve(std::size(items));
    for (const Item& item : items) {
      if (auto value = gauge.read(item)) AddSample(family, *value, labels_of(item));
    }
    if (!family.metric.empty()) out->push_back(std::move(family));
  }
}

void AppendIfAny(MetricFamily family, std::vector<MetricFamily>* out) {
  if (!family.metric.empty()) out->push_back(std::move(family));
}

LabelList ProcessLabels(const std::string& pid, const ProcessIdentity& identity,
                        const std::string& cmdline, const StatsCollectorOptions& options) {
  LabelList labels = {{"pid", pid},
                      {"name", identity.name},
                      {"process", identity.process},
                      {"type", identity.type}};
  if (options.include_cmdline) labels.push_back({"cmdline", cmdline});
  return labels;
}

// Frigate's /api/metrics (frigate/stats/prometheus.py) reports a detector's pid as {detector,
// detector, "detectors"}, which dashboards built on it select; it also means to report it as
// {detector, "detect", "Detector"}, which a lookup slip there keeps from appearing. Both here.
constexpr std::string_view kDetectorType = "Detector";
ProcessIdentity AsDetectorsSeries(const ProcessIdentity& detector) {
  return {detector.name, detector.name, "detectors"};
}

// frigate_cpu_usage_percent and frigate_mem_usage_percent: one series per pid of cpu_usages,
// plus the "detectors" series of each detector pid.
void AppendProcessFamilies(const std::vector<ProcessUsage>& usages,
                           const StatsCollectorOptions& options, std::vector<MetricFamily>* out) {
  for (const auto& gauge : kProcessGauges) {
    MetricFamily family = Family(gauge.name, gauge.help, MetricType::Gauge);
    family.metric.reserve(usages.size() + 2);
    for (const ProcessUsage& usage : usages) {
      const auto value = gauge.read(usage);
      if (!value) continue;
      AddSample(family, *value, ProcessLabels(usage.pid, usage.identity, usage.cmdline, options));
      if (usage.identity.type == kDetectorType) {
        AddSample(
            family, *value,
            ProcessLabels(usage.pid, AsDetectorsSeries(usage.identity), usage.cmdline, options));
      }
    }
    AppendIfAny(std::move(family), out);
  }
}

}  // namespace

std::vector<MetricFamily> StatsFamilies(const FrigateStats& stats,
                                        const StatsCollectorOptions& options) {
  std::vector<MetricFamily> out;
  AppendFamilies(
      stats.cameras, kCameraGauges,
      [](const CameraStats& c) {
        return LabelList{{"camera_name", c.name}};
      },
      &out);
  AppendFamilies(
      stats.detectors, kDetectorGauges,
      [](const DetectorStats& d) {
        return LabelList{{"name", d.name}};
      },
      &out);
  AppendFamilies(
      std::span<const FrigateStats>(&stats, 1), kServiceGauges,
      [](const FrigateStats&) { return LabelList{}; }, &out);
  AppendProcessFamilies(stats.cpu_usages, options, &out);
  AppendFamilies(
      stats.gpus, kGpuGauges,
      [](const GpuUsage& g) {
        return LabelList{{"gpu_name", g.name}};
      },
      &out);
  AppendFamilies(
      stats.bandwidth, kBandwidthGauges,
      [&options](const BandwidthUsage& b) {
        return ProcessLabels(b.pid, b.identity, b.cmdline, options);
      },
      &out);

  MetricFamily info =
      Family("frigate_service_info",
             "Frigate's version and the latest release it knows of; always 1.", MetricType::Gauge);
  if (!stats.version.empty() || !stats.latest_version.empty()) {
    AddSample(info, 1, {{"version", stats.version}, {"latest_version", stats.latest_version}});
  }
  AppendIfAny(std::move(info), &out);

  // Coral temperatures sit under service.temperatures up to 0.17 and on the detector from 0.18.
  MetricFamily temperature =
      Family("frigate_device_temperature", "Temperature of a device in degrees Celsius.",
             MetricType::Gauge);
  std::set<std::string> devices;
  for (const auto& t : stats.temperatures) {
    if (devices.insert(t.device).second) AddSample(temperature, t.celsius, {{"device", t.device}});
  }
  for (const auto& d : stats.detectors) {
    if (d.temperature_c && devices.insert(d.name).second) {
      AddSample(temperature, *d.temperature_c, {{"device", d.name}});
    }
  }
  AppendIfAny(std::move(temperature), &out);

  AppendFamilies(
      stats.storage, kStorageGauges,
      [](const StorageStats& s) {
        return LabelList{{"storage", s.path}};
      },
      &out);
  MetricFamily mount = Family("frigate_storage_mount_type_info",
                              "File system type of the storage path; always 1.", MetricType::Gauge);
  for (const auto& s : stats.storage) {
    if (!s.mount_type.empty()) {
      AddSample(mount, 1, {{"storage", s.path}, {"mount_type", s.mount_type}});
    }
  }
  AppendIfAny(std::move(mount), &out);
  return out;
}

void StatsCollector::Update(std::shared_ptr<const FrigateStats> stats) {
  std::lock_guard lock(mu_);
  stats_ = std::move(stats);
}

std::vector<MetricFamily> StatsCollector::Collect() const {
  std::shared_ptr<const FrigateStats> stats;
  {
    std::lock_guard lock(mu_);
    stats = stats_;
  }
  if (!stats) return {};
  return StatsFamilies(*stats, options_);
}

}  // namespace fhc::exporter
