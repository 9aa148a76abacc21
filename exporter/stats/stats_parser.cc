// ParseStats: one walk over a /api/stats body. What differs between Frigate versions is kept in
// the tables at the top of this file; the code below only walks them.
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "exporter/stats/frigate_stats.h"
#include "exporter/stats/frigate_version.h"
#include "exporter/stats/percent_text.h"

namespace fhc::exporter {
namespace {

using rapidjson::Value;

// Unit of service.storage sizes: MB (1e6 bytes) up to 0.12, MiB from 0.13 ("powers of 2").
// The last row whose version is <= the body's version applies.
struct StorageUnit {
  FrigateVersion since;
  double bytes;
};
constexpr std::array<StorageUnit, 2> kStorageUnits = {{
    {{0, 0, 0}, 1e6},
    {{0, 13, 0}, 1048576.0},
}};

// Top-level keys that are never cameras in the old layout (cameras as top-level keys: 0.12 and
// 0.13.0-beta1/-beta2, which already carry "processes" and psutil "cpu_usages"), and keys later
// versions added.
constexpr std::array<std::string_view, 13> kNonCameraKeys = {
    "detectors",   "detection_fps",    "service",    "cpu_usages", "gpu_usages",
    "processes",   "bandwidth_usages", "npu_usages", "embeddings", "camera_fps",
    "process_fps", "skipped_fps",      "cameras",
};

// Numbers that are rates, durations or timestamps cannot be negative; audio dBFS is <= 0.
enum class Range { kAny, kNonNegative };

template <typename Struct>
struct NumberField {
  std::string_view key;
  std::optional<double> Struct::*member;
  Range range;
};

template <typename Struct>
struct PidField {
  std::string_view key;
  std::optional<std::int64_t> Struct::*member;
  std::string_view process;  // what Frigate's /api/metrics calls a process behind this pid
};

constexpr std::array<NumberField<CameraStats>, 6> kCameraNumbers = {{
    {"camera_fps", &CameraStats::camera_fps, Range::kNonNegative},
    {"process_fps", &CameraStats::process_fps, Range::kNonNegative},
    {"skipped_fps", &CameraStats::skipped_fps, Range::kNonNegative},
    {"detection_fps", &CameraStats::detection_fps, Range::kNonNegative},
    {"audio_dBFS", &CameraStats::audio_dbfs, Range::kAny},
    {"audio_rms", &CameraStats::audio_rms, Range::kNonNegative},
}};

constexpr std::array<PidField<CameraStats>, 3> kCameraPids = {{
    {"ffmpeg_pid", &CameraStats::ffmpeg_pid, "ffmpeg"},
    {"capture_pid", &CameraStats::capture_pid, "capture"},
    {"pid", &CameraStats::pid, "detect"},
}};

constexpr std::array<NumberField<DetectorStats>, 3> kDetectorNumbers = {{
    {"inference_speed", &DetectorStats::inference_speed_ms, Range::kNonNegative},
    {"detection_start", &DetectorStats::detection_start, Range::kNonNegative},
    {"temperature", &DetectorStats::temperature_c, Range::kAny},  // 0.18+
}};

constexpr std::array<PidField<DetectorStats>, 1> kDetectorPids = {{
    {"pid", &DetectorStats::pid, "detect"},
}};

constexpr std::array<NumberField<StorageStats>, 3> kStorageSizes = {{
    {"total", &StorageStats::total_bytes, Range::kNonNegative},
    {"used", &StorageStats::used_bytes, Range::kNonNegative},
    {"free", &StorageStats::free_bytes, Range::kNonNegative},
}};

// gpu_usages percentages ("12.5%", "-%", "" or a number). enc/dec come from NVIDIA since 0.13;
// 0.18 adds Intel's compute and dec (frigate/util/services.py get_intel_gpu_stats at
// v0.18.0-beta1), and its /api/metrics the encoder/decoder/compute families.
struct GpuPercentField {
  std::string_view key;
  std::optional<double> GpuUsage::*member;
};
constexpr std::array<GpuPercentField, 5> kGpuPercents = {{
    {"gpu", &GpuUsage::gpu_percent},
    {"mem", &GpuUsage::mem_percent},
    {"enc", &GpuUsage::encoder_percent},
    {"dec", &GpuUsage::decoder_percent},
    {"compute", &GpuUsage::compute_percent},
}};

constexpr std::string_view kFullSystemKey = "frigate.full_system";  // 0.14+ cpu_usages

std::string_view Name(const Value& name) {
  return std::string_view(name.GetString(), name.GetStringLength());
}

const Value* Find(const Value& object, std::string_view key) {
  if (!object.IsObject()) return nullptr;
  for (const auto& member : object.GetObject()) {
    if (Name(member.name) == key) return &member.value;  // first one wins over duplicates
  }
  return nullptr;
}

const Value* FindObject(const Value& object, std::string_view key) {
  const Value* value = Find(object, key);
  return value != nullptr && value->IsObject() ? value : nullptr;
}

std::optional<double> Number(const Value* value, Range range) {
  if (value == nullptr || !value->IsNumber()) return std::nullopt;
  const double number = value->GetDouble();
  if (!std::isfinite(number)) return std::nullopt;
  if (range == Range::kNonNegative && number < 0) return std::nullopt;
  return number;
}

std::string String(const Value* value) {
  if (value == nullptr || !value->IsString()) return {};
  return std::string(Name(*value));
}

// A pid is a non-negative integer; Frigate sends null for a process that is not running.
std::optional<std::int64_t> Pid(const Value* value) {
  if (value == nullptr) return std::nullopt;
  if (value->IsInt64()) {
    const std::int64_t pid = value->GetInt64();
    return pid >= 0 ? std::optional<std::int64_t>(pid) : std::nullopt;
  }
  return std::nullopt;
}

std::optional<double> Percent(const Value* value) {
  if (value == nullptr) return std::nullopt;
  if (value->IsNumber()) return CheckPercent(value->GetDouble());
  if (value->IsString()) return ParsePercentText(Name(*value));
  return std::nullopt;
}

// 1/0 in 0.12-0.13, true/false from 0.14.
std::optional<bool> Flag(const Value* value) {
  if (value == nullptr) return std::nullopt;
  if (value->IsBool()) return value->GetBool();
  if (value->IsInt64()) return value->GetInt64() != 0;
  return std::nullopt;
}

template <typename Struct, std::size_t N>
void ReadNumbers(const Value& object, const std::array<NumberField<Struct>, N>& fields,
                 double scale, Struct* out) {
  for (const auto& field : fields) {
    if (auto number = Number(Find(object, field.key), field.range)) {
      out->*field.member = *number * scale;
    }
  }
}

template <typename Struct, std::size_t N>
void ReadPids(const Value& object, const std::array<PidField<Struct>, N>& fields, Struct* out) {
  for (const auto& field : fields) out->*field.member = Pid(Find(object, field.key));
}

// Calls visit(name, value) for each member of an object-valued member, skipping repeated names
// (a JSON object may repeat a key; a repeated camera would repeat a series).
template <typename Visit>
void ForEachUniqueMember(const Value* object, Visit visit) {
  if (object == nullptr || !object->IsObject()) return;
  std::unordered_set<std::string_view> seen;
  for (const auto& member : object->GetObject()) {
    if (seen.insert(Name(member.name)).second) visit(Name(member.name), member.value);
  }
}

bool IsNumericPid(std::string_view key) {
  if (key.empty() || key.size() > 10) return false;
  for (char c : key) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

bool IsNonCameraKey(std::string_view key) {
  for (auto non_camera : kNonCameraKeys) {
    if (key == non_camera) return true;
  }
  return false;
}

// The layout is read from the body's shape, never from its version: 0.13.0-beta1 and -beta2 say
// "0.13.0-..." and still put cameras at the top level (the "cameras" key came in beta3). A body
// has the nested layout when "cameras" is an object that is not itself a camera (a camera of the
// old layout may be named "cameras"; it then has a numeric camera_fps).
bool LooksLikeCamera(const Value& object) {
  const Value* fps = Find(object, "camera_fps");
  return fps != nullptr && fps->IsNumber();
}

bool CamerasAtTopLevel(const Value* cameras) {
  return cameras == nullptr || LooksLikeCamera(*cameras);
}

CameraStats ReadCamera(std::string_view name, const Value& object) {
  CameraStats camera;
  camera.name = std::string(name);
  ReadNumbers(object, kCameraNumbers, 1.0, &camera);
  ReadPids(object, kCameraPids, &camera);
  camera.detection_enabled = Flag(Find(object, "detection_enabled"));
  return camera;
}

DetectorStats ReadDetector(std::string_view name, const Value& object) {
  DetectorStats detector;
  detector.name = std::string(name);
  ReadNumbers(object, kDetectorNumbers, 1.0, &detector);
  ReadPids(object, kDetectorPids, &detector);
  return detector;
}

double StorageUnitBytes(std::optional<FrigateVersion> version, bool cameras_at_top_level) {
  if (!version)
    return cameras_at_top_level ? kStorageUnits.front().bytes : kStorageUnits.back().bytes;
  double bytes = kStorageUnits.front().bytes;
  for (const auto& unit : kStorageUnits) {
    if (unit.since <= *version) bytes = unit.bytes;
  }
  return bytes;
}

void ReadService(const Value& service, bool cameras_at_top_level, FrigateStats* stats) {
  stats->uptime_seconds = Number(Find(service, "uptime"), Range::kNonNegative);
  stats->last_updated = Number(Find(service, "last_updated"), Range::kNonNegative);
  stats->latest_version = String(Find(service, "latest_version"));
  const double unit = StorageUnitBytes(ParseFrigateVersion(stats->version), cameras_at_top_level);
  ForEachUniqueMember(FindObject(service, "storage"), [&](std::string_view path, const Value& v) {
    if (!v.IsObject()) return;
    StorageStats storage;
    storage.path = std::string(path);
    ReadNumbers(v, kStorageSizes, unit, &storage);
    storage.mount_type = String(Find(v, "mount_type"));
    if (storage.total_bytes || storage.used_bytes || storage.free_bytes ||
        !storage.mount_type.empty()) {
      stats->storage.push_back(std::move(storage));
    }
  });
  ForEachUniqueMember(FindObject(service, "temperatures"),
                      [&](std::string_view device, const Value& v) {
                        if (auto celsius = Number(&v, Range::kAny)) {
                          stats->temperatures.push_back({std::string(device), *celsius});
                        }
                      });
}

using Identities = std::unordered_map<std::int64_t, ProcessIdentity>;

// Who each known pid is, the first claim winning (cameras, then detectors, then the rest).
Identities CollectIdentities(const FrigateStats& stats, const Value& root) {
  Identities identities;
  for (const auto& camera : stats.cameras) {
    for (const auto& field : kCameraPids) {
      const auto& pid = camera.*field.member;
      if (pid && *pid > 0) {
        identities.try_emplace(*pid,
                               ProcessIdentity{camera.name, std::string(field.process), "Camera"});
      }
    }
  }
  for (const auto& detector : stats.detectors) {
    for (const auto& field : kDetectorPids) {
      const auto& pid = detector.*field.member;
      if (pid && *pid > 0) {
        identities.try_emplace(
            *pid, ProcessIdentity{detector.name, std::string(field.process), "Detector"});
      }
    }
  }
  ForEachUniqueMember(FindObject(root, "processes"), [&](std::string_view name, const Value& v) {
    if (auto pid = Pid(Find(v, "pid")); pid && *pid > 0) {
      identities.try_emplace(
          *pid, ProcessIdentity{std::string(name), std::string(name), std::string(name)});
    }
  });
  return identities;
}

// A pid nobody claims is named by its command line, as Frigate's own /api/metrics does.
ProcessIdentity IdentityOf(std::string_view key, const Identities& identities,
                           const std::string& cmdline) {
  if (key == kFullSystemKey) return {"full_system", "system", "System"};
  std::int64_t pid = 0;
  for (char c : key) pid = pid * 10 + (c - '0');  // key checked by IsNumericPid (<= 10 digits)
  auto it = identities.find(pid);
  return it == identities.end() ? ProcessIdentity{cmdline, cmdline, "Other"} : it->second;
}

std::string TrimSpaces(std::string_view text) {
  const auto first = text.find_first_not_of(' ');
  if (first == std::string_view::npos) return {};
  return std::string(text.substr(first, text.find_last_not_of(' ') - first + 1));
}

void ReadProcessTables(const Value& root, FrigateStats* stats) {
  const Identities identities = CollectIdentities(*stats, root);
  ForEachUniqueMember(FindObject(root, "cpu_usages"), [&](std::string_view key, const Value& v) {
    // 0.12 parsed `top` and left its header words ("%Cpu(s):", "MiB", "PID") as keys.
    if (!v.IsObject() || !(IsNumericPid(key) || key == kFullSystemKey)) return;
    ProcessUsage usage;
    usage.pid = std::string(key);
    usage.cpu_percent = Percent(Find(v, "cpu"));
    usage.mem_percent = Percent(Find(v, "mem"));
    if (!usage.cpu_percent && !usage.mem_percent) return;
    usage.cmdline = TrimSpaces(String(Find(v, "cmdline")));
    usage.identity = IdentityOf(key, identities, usage.cmdline);
    stats->cpu_usages.push_back(std::move(usage));
  });
  ForEachUniqueMember(FindObject(root, "gpu_usages"), [&](std::string_view name, const Value& v) {
    if (!v.IsObject()) return;
    GpuUsage gpu;
    gpu.name = std::string(name);
    for (const auto& field : kGpuPercents) gpu.*field.member = Percent(Find(v, field.key));
    for (const auto& field : kGpuPercents) {
      if (gpu.*field.member) {
        stats->gpus.push_back(std::move(gpu));
        break;
      }
    }
  });
  const Value* bandwidth = FindObject(root, "bandwidth_usages");
  if (bandwidth == nullptr || bandwidth->ObjectEmpty()) return;  // opt-in in Frigate: rare
  // Command lines by pid: one sorted vector (a bandwidth entry per camera on a big NVR).
  std::vector<std::pair<std::string_view, const std::string*>> cmdlines;
  cmdlines.reserve(stats->cpu_usages.size());
  for (const auto& usage : stats->cpu_usages) cmdlines.emplace_back(usage.pid, &usage.cmdline);
  std::sort(cmdlines.begin(), cmdlines.end());
  ForEachUniqueMember(bandwidth, [&](std::string_view key, const Value& v) {
    if (!IsNumericPid(key)) return;
    auto rate = Number(Find(v, "bandwidth"), Range::kNonNegative);
    if (!rate) return;
    const auto known =
        std::lower_bound(cmdlines.begin(), cmdlines.end(),
                         std::make_pair(key, static_cast<const std::string*>(nullptr)));
    std::string cmdline =
        known != cmdlines.end() && known->first == key ? *known->second : std::string();
    ProcessIdentity identity = IdentityOf(key, identities, cmdline);
    stats->bandwidth.push_back({std::string(key), std::move(identity), std::move(cmdline), rate});
  });
}

}  // namespace

Result<FrigateStats> ParseStats(std::string_view body) {
  rapidjson::Document doc;
  // Iterative parsing: nesting depth cannot exhaust the stack. NaN/Infinity are accepted because
  // Python's json module writes them; such values are then dropped one by one, not the body.
  doc.Parse<rapidjson::kParseIterativeFlag | rapidjson::kParseNanAndInfFlag>(body.data(),
                                                                             body.size());
  if (doc.HasParseError()) {
    return Result<FrigateStats>::Error(std::string("stats body is not valid JSON at offset ") +
                                       std::to_string(doc.GetErrorOffset()) + ": " +
                                       rapidjson::GetParseError_En(doc.GetParseError()));
  }
  if (!doc.IsObject()) return Result<FrigateStats>::Error("stats body is not a JSON object");
  const Value* service = FindObject(doc, "service");
  const Value* detectors = FindObject(doc, "detectors");
  if (service == nullptr && detectors == nullptr) {
    return Result<FrigateStats>::Error("stats body has neither \"service\" nor \"detectors\"");
  }

  FrigateStats stats;
  if (service != nullptr) stats.version = String(Find(*service, "version"));
  const Value* cameras = FindObject(doc, "cameras");
  stats.cameras_at_top_level = CamerasAtTopLevel(cameras);

  if (stats.cameras_at_top_level) {
    ForEachUniqueMember(&doc, [&](std::string_view name, const Value& v) {
      if (v.IsObject() && (!IsNonCameraKey(name) || LooksLikeCamera(v))) {
        stats.cameras.push_back(ReadCamera(name, v));
      }
    });
  } else {
    ForEachUniqueMember(cameras, [&](std::string_view name, const Value& v) {
      if (v.IsObject()) stats.cameras.push_back(ReadCamera(name, v));
    });
  }
  ForEachUniqueMember(detectors, [&](std::string_view name, const Value& v) {
    if (v.IsObject()) stats.detectors.push_back(ReadDetector(name, v));
  });
  stats.detection_fps_total = Number(Find(doc, "detection_fps"), Range::kNonNegative);
  if (service != nullptr) ReadService(*service, stats.cameras_at_top_level, &stats);
  ReadProcessTables(doc, &stats);
  return stats;
}

}  // namespace fhc::exporter
