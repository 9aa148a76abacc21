#pragma once
// Where the remediator keeps its state: an opaque text document (the state model's JSON) that
// several threads and processes update without losing each other's changes. The store knows
// nothing about the document's meaning; decoding and its errors belong to the caller.
#include <functional>
#include <map>
#include <string>

#include "common/core/result.h"

namespace fhc::remediator {

struct StoredState {
  // The document as last stored; empty when nothing has been stored yet.
  std::string state_json;
  // The old CronJob's ConfigMap keys (consecutive_failures, last_restart_times,
  // alert_sent_for_incident, last_alert_time) when they are present and state_json is empty, so
  // the first write can carry them over. Always empty for stores that never had them.
  std::map<std::string, std::string> legacy;
  // Set while a document the remediator could not read is kept for a person and nobody has
  // acted on it yet (see KeepUnreadable): the note left for that person.
  std::string unreadable_note;
};

// Builds the note KeepUnreadable leaves, from where the unreadable copy went.
using UnreadableNote = std::function<std::string(const std::string& kept_at)>;

// The pure function an updater passes in: the current content in, the new document out. It may run
// more than once per Update (after a conflict) and must have no side effects; an error aborts the
// update.
using StateUpdate = std::function<Result<std::string>(const StoredState&)>;

class StateStore {
 public:
  virtual ~StateStore() = default;

  // Applies `update` to the current content and stores its result, serialised against every other
  // updater of the same store (threads and other processes). Returns the text stored. On error
  // nothing was written and the message says why (update's own error, I/O, conflicts that would
  // not settle).
  virtual Result<std::string> Update(const StateUpdate& update) = 0;

  // The current content (empty state_json when none was ever stored).
  virtual Result<StoredState> Read() = 0;

  // Whether the store can be read and written right now (for /readyz); the error says why not.
  virtual Status Check() = 0;

  // A short description for logs and the status page ("file /var/lib/x/state.json").
  virtual std::string Describe() const = 0;

  // The current document is `unreadable` (as last read) and the caller cannot decode it: keeps
  // it for a person (the file store renames it, the ConfigMap store copies it into a new
  // ConfigMap), stores `fresh` in its place and leaves the note `note(kept_at)` beside it, which
  // Read reports in unreadable_note until a person removes it (HowToRelease says how). Returns
  // where the copy is. Errors: nothing was replaced (e.g. the document changed meanwhile: read
  // again).
  virtual Result<std::string> KeepUnreadable(const std::string& unreadable,
                                             const std::string& fresh,
                                             const UnreadableNote& note) = 0;

  // What a person does to say they have dealt with a kept unreadable document (one command).
  virtual std::string HowToRelease() const = 0;
};

}  // namespace fhc::remediator
