#pragma once
// What one /api/stats body says, normalised across Frigate 0.12-0.17: units fixed (storage in
// bytes, inference in ms as Frigate reports it), absent or junk values left empty.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/core/result.h"

namespace fhc::exporter {

struct CameraStats {
  std::string name;
  std::optional<double> camera_fps;
  std::optional<double> process_fps;
  std::optional<double> skipped_fps;
  std::optional<double> detection_fps;
  std::optional<bool> detection_enabled;  // int 1/0 (0.12-0.13) or bool (0.14+)
  std::optional<double> audio_dbfs;
  std::optional<double> audio_rms;
  std::optional<std::int64_t> pid;  // null when the camera process is not running
  std::optional<std::int64_t> capture_pid;
  std::optional<std::int64_t> ffmpeg_pid;
};

struct DetectorStats {
  std::string name;
  std::optional<double> inference_speed_ms;
  std::optional<double> detection_start;  // unix seconds; 0 = idle
  std::optional<std::int64_t> pid;
  std::optional<double> temperature_c;  // 0.18+ per detector
};

struct StorageStats {
  std::string path;  // e.g. /media/frigate/recordings
  std::optional<double> total_bytes;
  std::optional<double> used_bytes;
  std::optional<double> free_bytes;
  std::string mount_type;
};

// Who a pid is, named the way Frigate's own /api/metrics (0.16+ frigate/stats/prometheus.py)
// names it: a camera's processes are {camera, "ffmpeg"|"capture"|"detect", "Camera"}, a
// detector's {detector, "detect", "Detector"}, an entry of `processes` (go2rtc, recording, ...)
// {name, name, name}, the whole host {"full_system", "system", "System"}, and any other pid
// (Frigate's main process, nginx, s6, ...) {cmdline, cmdline, "Other"}.
struct ProcessIdentity {
  std::string name;
  std::string process;
  std::string type;
};

struct ProcessUsage {  // cpu_usages entry; junk keys of 0.12 are dropped
  std::string pid;     // the key ("123", or "frigate.full_system")
  ProcessIdentity identity;
  std::string cmdline;  // 0.13+, surrounding spaces removed
  std::optional<double> cpu_percent;
  std::optional<double> mem_percent;
};

struct GpuUsage {  // gpu_usages entry, keyed by the GPU's name
  std::string name;
  std::optional<double> gpu_percent;
  std::optional<double> mem_percent;
  std::optional<double> encoder_percent;  // "enc": NVIDIA (0.13+)
  std::optional<double> decoder_percent;  // "dec": NVIDIA (0.13+), Intel (0.18+)
  std::optional<double> compute_percent;  // "compute": Intel render/3D + compute engines (0.18+)
};

struct BandwidthUsage {  // bandwidth_usages entry (nethogs, opt-in in Frigate 0.13+)
  std::string pid;
  ProcessIdentity identity;
  std::string cmdline;                         // from the pid's cpu_usages entry, if any
  std::optional<double> kilobytes_per_second;  // nethogs KB/s (1 KB = 1024 bytes)
};

struct DeviceTemperature {
  std::string device;  // e.g. apex_0
  double celsius = 0;
};

struct FrigateStats {
  std::vector<CameraStats> cameras;
  std::vector<DetectorStats> detectors;
  std::optional<double> detection_fps_total;
  std::optional<double> uptime_seconds;
  std::optional<double> last_updated;  // unix seconds of the snapshot (0.12+)
  std::string version;                 // "0.14.1-f4f3cfa" as Frigate sent it
  std::string latest_version;
  std::vector<StorageStats> storage;
  std::vector<DeviceTemperature> temperatures;
  std::vector<ProcessUsage> cpu_usages;
  std::vector<GpuUsage> gpus;
  std::vector<BandwidthUsage> bandwidth;
  // Which layout the body had: cameras at top level (0.12, 0.13.0-beta1/-beta2) or under
  // "cameras" (0.13.0-beta3 on), as its shape says (the version does not tell).
  bool cameras_at_top_level = false;
};

// Parses a /api/stats body of any supported version. Fails only when the body is not a JSON
// object or has none of the keys every version has ("service", "detectors"); unknown fields and
// wrong-typed values are skipped. Errors are one short line.
Result<FrigateStats> ParseStats(std::string_view body);

}  // namespace fhc::exporter
