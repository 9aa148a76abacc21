#include "remediator/mail/next_steps.h"

#include <cctype>
#include <string>

namespace fhc::remediator {
namespace {

const std::vector<ReasonGuide>& Table() {
  static const std::vector<ReasonGuide> kGuides = {
      {"api_unresponsive",
       "Frigate's API does not answer.",
       RestartHelps::kYes,
       "A restart usually brings the API back; if it keeps happening, find out why it hangs.",
       {"Look at the pod's state and restarts: kubectl -n {namespace} get pod {pod} -o wide",
        "Read why the last container ended (OOMKilled, Error): kubectl -n {namespace} describe "
        "pod {pod}",
        "Read the log of the previous container: kubectl -n {namespace} logs {pod} -c {container} "
        "--previous --tail=200",
        "Compare memory and CPU use with the limits: kubectl -n {namespace} top pod {pod}",
        "Check the API by hand: curl -sf {frigate}/api/version"}},
      {"stats_stale",
       "Frigate's stats stopped updating: its main loop is wedged.",
       RestartHelps::kYes,
       "A restart unblocks the stats loop; repeated stalls point at CPU starvation or a bug.",
       {"Look for exceptions in the log: kubectl -n {namespace} logs deploy/{deployment} "
        "--since=30m | grep -iE 'error|exception'",
        "Check CPU throttling and load: kubectl -n {namespace} top pod {pod}",
        "Compare service.last_updated with now: curl -s {frigate}/api/stats"}},
      {"inference_slow",
       "A detector's inference is slower than its limit or than its own usual speed.",
       RestartHelps::kSometimes,
       "A restart rarely fixes slow inference; the cause is usually the Coral's USB link, power, "
       "a GPU shared with other work, or CPU load. A sudden jump often comes before a hang.",
       {"See which detector and rule fired on the exporter's /health page (\"[rule type_limit]\": "
        "slower than the limit for its type, INFERENCE_THRESHOLD_MS for an edgetpu (Coral), "
        "INFERENCE_LIMITS_MS for the others; \"[rule baseline]\": several times slower than its "
        "own learned speed for INFERENCE_SLOW_SECONDS)",
        "Compare inference speed per detector over the last days in Grafana, and with the CPU "
        "and GPU load of node {node}",
        "Check the Coral on node {node}: lsusb should list 18d1:9302 (Google Inc.; 1a6e:089a means "
        "it was never initialised), and dmesg -T | grep -iE 'usb|xhci' | tail -50 shows USB "
        "resets; use a USB 3 port and a powered hub, avoid VM USB passthrough",
        "A detector that is slow by nature (CPU, a large model): raise its type's limit in "
        "INFERENCE_LIMITS_MS (e.g. cpu=500) rather than restarting"}},
      {"detector_stuck",
       "A detector has been busy with one inference for more than 10 s.",
       RestartHelps::kYes,
       "Frigate restarts the detector itself; a full restart helps when that does not work. "
       "Recurring hangs mean the Coral or its USB link is failing.",
       {"Count the watchdog's messages: kubectl -n {namespace} logs deploy/{deployment} "
        "--since=30m | grep -c 'Detection appears to be stuck'",
        "Check the Coral's USB link on node {node}: dmesg -T | grep -iE 'usb|xhci' | tail -50",
        "If it repeats after restarts, replug the Coral or move it to a powered hub"}},
      {"detection_stuck",
       "Frigate's watchdog keeps reporting stuck detection.",
       RestartHelps::kYes,
       "A restart clears a wedged detector for a while; recurring lines mean the Coral, its power "
       "or its USB link needs attention.",
       {"Read the lines around the messages: kubectl -n {namespace} logs deploy/{deployment} "
        "--since=30m | grep -B2 -A5 'Detection appears to be stuck'",
        "Check camera and detector stats: curl -s {frigate}/api/stats",
        "Check the go2rtc streams: kubectl -n {namespace} exec deploy/{deployment} -- curl -s "
        "127.0.0.1:1984/api/streams (or the go2rtc page in Frigate's UI)",
        "Check the Coral on node {node}: lsusb and dmesg -T | grep -i usb"}},
      {"detector_hung",
       "Frigate force-killed a detector and no new one started: detection is dead.",
       RestartHelps::kYes,
       "Only a restart of Frigate recovers from this; Frigate itself will wait forever. If it "
       "recurs, the Coral is stuck in USB I/O and needs a replug or power cycle.",
       {"Confirm: kubectl -n {namespace} logs deploy/{deployment} --since=1h | grep -E 'Force "
        "killing|Detection process has exited|Starting detection process'",
        "Check for processes in D state on node {node}: ps -eo pid,stat,cmd | awk '$2 ~ /D/'",
        "Replug the Coral or power-cycle its hub if the hang returns after the restart"}},
      {"edgetpu_missing",
       "No EdgeTPU (Coral) was found: the detector cannot start.",
       RestartHelps::kNo,
       "A person must act: a restart cannot fix a missing Coral. Restarting only loops; the "
       "device needs a USB reset, a replug or a host reboot.",
       {"On node {node}, check the device: lsusb | grep -iE '18d1:9302|1a6e:089a' (no line: the "
        "Coral is gone from the bus)",
        "Look for disconnects and power problems: dmesg -T | grep -iE 'usb|xhci|over-current' | "
        "tail -50",
        "Replug the Coral, preferably into a powered USB 3 hub; reboot the node if it does not "
        "come back",
        "Check that the pod still gets the device (hostPath /dev/bus/usb, privileged or device "
        "plugin): kubectl -n {namespace} describe pod {pod}"}},
      {"edgetpu_wrong_model",
       "The Coral (EdgeTPU) detector was given a model it cannot run.",
       RestartHelps::kNo,
       "A person must act: the EdgeTPU runs only models compiled for it (.tflite from the "
       "EdgeTPU compiler), and every restart loads the same configuration.",
       {"Find the line: kubectl -n {namespace} logs {pod} -c {container} --tail=500 | grep -i "
        "'Incorrect model used with EdgeTPU'",
        "Check the detector's model path in Frigate's config (model: path: under the edgetpu "
        "detector, or the global model:): curl -s {frigate}/api/config | jq '.detectors, .model'",
        "Point it at an EdgeTPU-compiled .tflite model (Frigate's default for the Coral is "
        "/edgetpu_model.tflite, frigate/config/config.py), or remove the path to use the "
        "default; then restart Frigate once by hand",
        "A model for another detector type (ONNX, OpenVINO) needs that detector type, not the "
        "Coral"}},
      {"recording_storage_slow",
       "Recording segments cannot be moved out of the cache fast enough: storage is too slow.",
       RestartHelps::kNo,
       "A person must act: a restart does not make the disk faster. Frigate discards segments "
       "it cannot keep up with, so footage is being lost.",
       {"Check the recordings storage's free space and mounts: kubectl -n {namespace} exec "
        "deploy/{deployment} -c {container} -- df -h /media/frigate /tmp/cache",
        "Check the disk or network share behind /media/frigate on node {node}: I/O wait "
        "(iostat -x 5 or top's wa), NFS/SMB latency and errors (dmesg -T | grep -iE "
        "'nfs|cifs|i/o error')",
        "Look for other heavy I/O at the same time (backups, scrubs, another writer) and for a "
        "failing disk (smartctl -a)",
        "Move recordings to faster local storage, or record fewer or smaller streams (record "
        "retain, record only on motion)"}},
      {"recording_backlog",
       "Recording segments pile up in the cache faster than Frigate moves them.",
       RestartHelps::kSometimes,
       "A restart helps only when a hung detector or camera process keeps segments from being "
       "processed; it never fixes slow or full storage.",
       {"Check free space and mounts: kubectl -n {namespace} exec deploy/{deployment} -- df -h "
        "/media/frigate /tmp/cache",
        "Read the recording messages: kubectl -n {namespace} logs deploy/{deployment} --since=30m "
        "| grep -iE 'recording segments|unprocessed'",
        "Check storage latency (NFS/SMB, SD card) and the node's I/O wait",
        "If the lines say \"unprocessed\", check the detect stream and detector as well"}},
      {"no_frames",
       "Cameras deliver no frames (camera_fps is 0).",
       RestartHelps::kSometimes,
       "Frigate restarts ffmpeg by itself; a full restart helps only when the camera stream is "
       "fine but Frigate does not recover.",
       {"Check the cameras' streams: ffprobe -rtsp_transport tcp <camera rtsp url>",
        "Check the go2rtc streams: kubectl -n {namespace} exec deploy/{deployment} -- curl -s "
        "127.0.0.1:1984/api/streams",
        "Read ffmpeg's messages: kubectl -n {namespace} logs deploy/{deployment} --since=30m | "
        "grep -iE 'ffmpeg|No frames received'",
        "Check the cameras' power and network"}},
      {"high_skip_ratio",
       "Most cameras skip most frames: detection cannot keep up.",
       RestartHelps::kSometimes,
       "A restart helps when the detector is degraded; a permanent overload needs less work per "
       "second.",
       {"Compare skipped_fps with camera_fps per camera: curl -s {frigate}/api/stats",
        "Check the detector's inference speed and the node's CPU load in Grafana",
        "Lower detect fps or resolution, or add motion masks, on the busiest cameras"}},
      {"no_pod_running",
       "No Frigate pod is running.",
       RestartHelps::kNo,
       "There is nothing to restart; the deployment or the node must be fixed.",
       {"Check the deployment: kubectl -n {namespace} get deploy {deployment} -o wide",
        "Read recent events: kubectl -n {namespace} get events --sort-by=.lastTimestamp | tail "
        "-30",
        "Check the node's taints and readiness: kubectl describe node {node}"}},
  };
  return kGuides;
}

const ReasonGuide& Generic() {
  static const ReasonGuide kGeneric{
      "",
      "Frigate reported a problem this mail has no specific advice for.",
      RestartHelps::kSometimes,
      "Whether a restart helps depends on the cause; see the alert's description.",
      {"Look at the pod: kubectl -n {namespace} get pod {pod} -o wide",
       "Read the recent log: kubectl -n {namespace} logs deploy/{deployment} --since=30m",
       "Read recent events: kubectl -n {namespace} get events --sort-by=.lastTimestamp | tail -30",
       "Open the Frigate dashboard in Grafana and Frigate's System page"}};
  return kGeneric;
}

// "FrigateInferenceSlow" -> "frigate_inference_slow"; snake case stays as it is.
std::string SnakeCase(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (std::isupper(c)) {
      if (i > 0 && out.back() != '_') out += '_';
      out += static_cast<char>(std::tolower(c));
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

const std::vector<GateGuide>& GateTable() {
  static const std::vector<GateGuide> kGates = {
      {"manual_action_required",
       "A person must act on the alert marked remediate=\"manual\" (under Why): follow its "
       "runbook and the steps for its reason below. A restart would not help.",
       "Restarts of {namespace}/{deployment} resume by themselves once that alert resolves."},
      {"crash_loop",
       "Find out why Frigate's container keeps exiting: kubectl -n {namespace} logs {pod} -c "
       "{container} --previous --tail=200, and its Last State (exit code, OOMKilled) in kubectl "
       "-n {namespace} describe pod {pod}; then fix the cause (config, devices, memory limit).",
       "The kubelet keeps restarting the container by itself; the remediator decides again at "
       "every notification and restarts only once the container runs and the fault persists."},
      {"startup_grace",
       "Usually nothing: Frigate started recently and gets STARTUP_GRACE_PERIOD_SECONDS to "
       "settle. If its container keeps restarting, read kubectl -n {namespace} describe pod "
       "{pod}; if no pod or container was found, check kubectl -n {namespace} get deploy "
       "{deployment} -o wide and the FRIGATE_CONTAINER setting.",
       "The remediator decides again at the next notification after the grace period."},
      {"circuit_breaker",
       "Restarts are not fixing this: the circuit breaker stops further restarts for now. Find "
       "the cause with the steps below before restarting by hand.",
       "When the verdict counts restarts, the breaker closes by itself once the oldest leaves the "
       "window (the verdict says when) and restarts resume if the fault persists; when it says "
       "restarts are held or escalated, they resume as that verdict says."},
      {"node_ready",
       "Check the node: kubectl describe node {node} (conditions, kubelet, network); a Frigate "
       "pinned to it by its USB Coral cannot move elsewhere.",
       "The remediator restarts once the node is Ready again and the fault persists."},
      {"rollout_sanity",
       "Check the rollout: kubectl -n {namespace} rollout status deploy/{deployment}; paused: "
       "kubectl -n {namespace} rollout resume deploy/{deployment}; failed "
       "(ProgressDeadlineExceeded): kubectl -n {namespace} describe deploy {deployment} and its "
       "new pod, then fix it or kubectl -n {namespace} rollout undo deploy/{deployment}.",
       "The remediator decides again at every notification once no rollout is running."},
  };
  return kGates;
}

}  // namespace

const std::vector<GateGuide>& AllGateGuides() { return GateTable(); }

const GateGuide& GuideForGate(std::string_view gate) {
  for (const GateGuide& g : GateTable()) {
    if (gate == g.gate) return g;
  }
  static const GateGuide kFallback{
      "", "See the blocking gate's verdict under Gate verdicts.",
      "The remediator decides again at every notification of the alert."};
  return kFallback;
}

const std::vector<ReasonGuide>& AllGuides() { return Table(); }

const ReasonGuide& GuideFor(std::string_view reason_or_alertname) {
  std::string key = SnakeCase(reason_or_alertname);
  if (key.starts_with("frigate_")) key.erase(0, 8);
  // Word breaks differ between alert names and reasons ("EdgeTpu" vs "edgetpu"): compare
  // without underscores. Alert names may also carry a suffix the reason does not
  // ("FrigateApiUnresponsiveCritical").
  auto squash = [](std::string_view s) {
    std::string out;
    for (char c : s) {
      if (c != '_') out += c;
    }
    return out;
  };
  const std::string squashed = squash(key);
  const ReasonGuide* best = nullptr;
  for (const ReasonGuide& g : Table()) {
    const std::string reason = squash(g.reason);
    if (squashed == reason) return g;
    if (!best && squashed.starts_with(reason)) best = &g;
  }
  return best ? *best : Generic();
}

}  // namespace fhc::remediator
