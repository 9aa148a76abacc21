#include "common/http/http_client.h"

#include <curl/curl.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>

namespace fhc::http {
namespace {

using Clock = std::chrono::steady_clock;

// How often Stream() looks at the cancel flag and the idle time while the socket is quiet.
constexpr std::chrono::milliseconds kStreamPollInterval{100};

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

struct EasyDeleter {
  void operator()(CURL* h) const { curl_easy_cleanup(h); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
struct MultiDeleter {
  void operator()(CURLM* m) const { curl_multi_cleanup(m); }
};

// State shared with libcurl's callbacks for one exchange.
struct Transfer {
  Response response;
  std::size_t max_bytes = 0;
  bool too_large = false;
  const ChunkHandler* on_chunk = nullptr;  // set: stream chunks instead of collecting them
  bool stopped_by_handler = false;
  bool open_signalled = false;  // the empty "stream is open" chunk was delivered
  int status = 0;               // of the current header set, from its status line
  std::string handler_error;
  Clock::time_point last_activity = Clock::now();
};

// Exceptions must not cross libcurl's C frames. False aborts the transfer.
bool CallHandler(Transfer* t, std::string_view chunk) {
  try {
    if (!(*t->on_chunk)(chunk)) {
      t->stopped_by_handler = true;
      return false;
    }
  } catch (const std::exception& e) {
    t->handler_error = std::string("chunk handler failed: ") + e.what();
    return false;
  } catch (...) {
    t->handler_error = "chunk handler failed";
    return false;
  }
  return true;
}

std::size_t OnBody(char* data, std::size_t size, std::size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const std::size_t n = size * count;
  t->last_activity = Clock::now();
  // A streamed 2xx body goes to the handler; an error answer is collected like Send()'s, so a
  // Status document never reaches the handler as if it were log text.
  if (t->on_chunk != nullptr && t->status >= 200 && t->status < 300) {
    return CallHandler(t, std::string_view(data, n)) ? n : 0;
  }
  if (t->response.body.size() + n > t->max_bytes) {
    t->too_large = true;
    return 0;  // aborts the transfer with CURLE_WRITE_ERROR
  }
  try {
    t->response.body.append(data, n);
  } catch (...) {
    return 0;
  }
  return n;
}

std::size_t OnHeader(char* data, std::size_t size, std::size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const std::size_t n = size * count;
  t->last_activity = Clock::now();
  const std::string_view line(data, n);
  if (line.rfind("HTTP/", 0) == 0) {
    // A new status line (after "100 Continue" or a proxy's answer) starts a new header set.
    t->response.headers.clear();
    const auto space = line.find(' ');
    t->status = space == std::string_view::npos ? 0 : std::atoi(line.data() + space + 1);
    return n;
  }
  if (Trim(line).empty() && t->on_chunk != nullptr && !t->open_signalled && t->status >= 200 &&
      t->status < 300) {
    // End of a 2xx header set: the stream is open, even if no byte of body follows for a while.
    t->open_signalled = true;
    return CallHandler(t, std::string_view()) ? n : 0;
  }
  const auto colon = line.find(':');
  if (colon == std::string_view::npos) return n;
  try {
    const std::string name = ToLower(Trim(line.substr(0, colon)));
    const std::string value(Trim(line.substr(colon + 1)));
    auto [it, inserted] = t->response.headers.emplace(name, value);
    if (!inserted) it->second += ", " + value;
  } catch (...) {
    return 0;
  }
  return n;
}

bool Contains(std::string_view haystack, std::string_view needle) {
  return ToLower(haystack).find(ToLower(needle)) != std::string::npos;
}

// A short, stable description of a failed exchange.
std::string DescribeError(CURLcode code, const char* detail, const Request& request,
                          const Transfer& t, bool connected, long os_errno) {
  if (t.too_large || code == CURLE_FILESIZE_EXCEEDED) {
    return "response larger than " + std::to_string(t.max_bytes) + " bytes";
  }
  if (!t.handler_error.empty()) return t.handler_error;
  const std::string d = detail != nullptr && detail[0] != '\0' ? detail : curl_easy_strerror(code);
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      if (!connected) {
        return "connect timeout after " + std::to_string(request.connect_timeout.count()) + " ms";
      }
      return "timeout after " + std::to_string(request.timeout.count()) + " ms";
    case CURLE_COULDNT_CONNECT:
      if (!request.unix_socket.empty()) {
        if (os_errno == ENOENT) return "no socket at " + request.unix_socket;
        if (os_errno == EACCES) return "permission denied on socket " + request.unix_socket;
      }
      if (os_errno == ECONNREFUSED || Contains(d, "refused")) return "connection refused";
      return "cannot connect: " + d;
    case CURLE_COULDNT_RESOLVE_HOST:
      return "cannot resolve host: " + d;
    case CURLE_URL_MALFORMAT:
      return "invalid URL \"" + request.url + "\"";
    case CURLE_UNSUPPORTED_PROTOCOL:
      return "unsupported URL scheme: " + request.url;
    case CURLE_GOT_NOTHING:
      return "empty reply from server";
    case CURLE_PEER_FAILED_VERIFICATION:
      return "TLS certificate not trusted: " + d;
    case CURLE_SSL_CONNECT_ERROR:
      return "TLS handshake failed: " + d;
    case CURLE_SSL_CACERT_BADFILE:
      return "cannot read CA file \"" + request.ca_file + "\"";
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
      if (Contains(d, "reset")) return "connection reset";
      return d;
    default:
      return d;
  }
}

struct Prepared {
  std::unique_ptr<CURL, EasyDeleter> easy;
  std::unique_ptr<curl_slist, SlistDeleter> headers;
  char error[CURL_ERROR_SIZE] = {};
};

// Configures an easy handle for the request; returns false when libcurl refuses something.
bool Prepare(const Request& request, Transfer& t, Prepared& p) {
  p.easy.reset(curl_easy_init());
  CURL* h = p.easy.get();
  if (h == nullptr) return false;
  curl_slist* list = nullptr;
  const auto add_header = [&](const std::string& line) {
    curl_slist* next = curl_slist_append(list, line.c_str());
    if (next != nullptr) list = next;
  };
  for (const auto& [name, value] : request.headers) add_header(name + ": " + value);
  if (!request.bearer_token.empty()) add_header("Authorization: Bearer " + request.bearer_token);
  // libcurl waits up to a second for "100 Continue" on larger bodies; our servers don't need it.
  add_header("Expect:");
  p.headers.reset(list);

  bool ok = true;
  const auto set = [&](CURLcode rc) { ok = ok && rc == CURLE_OK; };
  set(curl_easy_setopt(h, CURLOPT_URL, request.url.c_str()));
  set(curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L));
  set(curl_easy_setopt(h, CURLOPT_ERRORBUFFER, p.error));
  set(curl_easy_setopt(h, CURLOPT_HTTPHEADER, p.headers.get()));
  set(curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                       static_cast<long>(request.connect_timeout.count())));
  set(curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &OnBody));
  set(curl_easy_setopt(h, CURLOPT_WRITEDATA, &t));
  set(curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &OnHeader));
  set(curl_easy_setopt(h, CURLOPT_HEADERDATA, &t));
  set(curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https"));
  if (request.method == "GET") {
    set(curl_easy_setopt(h, CURLOPT_HTTPGET, 1L));
  } else if (request.method == "HEAD") {
    set(curl_easy_setopt(h, CURLOPT_NOBODY, 1L));
  } else {
    set(curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                         static_cast<curl_off_t>(request.body.size())));
    set(curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data()));
    if (request.method != "POST") {
      set(curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str()));
    }
  }
  if (!request.basic_user.empty()) {
    set(curl_easy_setopt(h, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC)));
    set(curl_easy_setopt(h, CURLOPT_USERNAME, request.basic_user.c_str()));
    set(curl_easy_setopt(h, CURLOPT_PASSWORD, request.basic_password.c_str()));
  }
  // Note: CAINFO replaces the system bundle; callers give the one CA that signs their server.
  if (!request.ca_file.empty()) set(curl_easy_setopt(h, CURLOPT_CAINFO, request.ca_file.c_str()));
  if (!request.client_cert_file.empty()) {
    set(curl_easy_setopt(h, CURLOPT_SSLCERT, request.client_cert_file.c_str()));
    set(curl_easy_setopt(h, CURLOPT_SSLKEY, request.client_key_file.c_str()));
  }
  if (request.insecure_skip_verify) {
    set(curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L));
    set(curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L));
  }
  if (!request.unix_socket.empty()) {
    set(curl_easy_setopt(h, CURLOPT_UNIX_SOCKET_PATH, request.unix_socket.c_str()));
  }
  return ok;
}

void Finish(CURLcode code, const Request& request, Transfer& t, Prepared& p) {
  long status = 0;
  curl_easy_getinfo(p.easy.get(), CURLINFO_RESPONSE_CODE, &status);
  t.response.status = static_cast<int>(status);
  if (code == CURLE_OK || (code == CURLE_WRITE_ERROR && t.stopped_by_handler)) return;
  curl_off_t connect_time = 0;
  curl_easy_getinfo(p.easy.get(), CURLINFO_CONNECT_TIME_T, &connect_time);
  long os_errno = 0;
  curl_easy_getinfo(p.easy.get(), CURLINFO_OS_ERRNO, &os_errno);
  t.response.error = DescribeError(code, p.error, request, t, connect_time > 0, os_errno);
  t.response.body.clear();
}

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

}  // namespace

std::string Response::Header(std::string_view lower_name) const {
  const auto it = headers.find(std::string(lower_name));
  return it == headers.end() ? std::string() : it->second;
}

CurlClient::CurlClient() { GlobalInit(); }

// curl_global_cleanup is not called: other clients may still be alive, and the process exit
// frees everything anyway.
CurlClient::~CurlClient() = default;

Response CurlClient::Send(const Request& request) {
  try {
    Transfer t;
    t.max_bytes = request.max_response_bytes;
    Prepared p;
    if (!Prepare(request, t, p)) {
      t.response.error = "cannot set up the request to " + request.url;
      return t.response;
    }
    curl_easy_setopt(p.easy.get(), CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
    // A Content-Length over the limit fails before any byte of the body is read (a 50 MB answer
    // would otherwise be buffered up to the limit and copied while the string grows).
    curl_easy_setopt(p.easy.get(), CURLOPT_MAXFILESIZE_LARGE,
                     static_cast<curl_off_t>(request.max_response_bytes));
    const CURLcode code = curl_easy_perform(p.easy.get());
    Finish(code, request, t, p);
    return std::move(t.response);
  } catch (const std::exception& e) {
    Response r;
    r.error = e.what();
    return r;
  }
}

Response CurlClient::Stream(const Request& request, const ChunkHandler& on_chunk,
                            const std::atomic<bool>* cancel,
                            std::chrono::milliseconds idle_timeout) {
  try {
    Transfer t;
    t.on_chunk = &on_chunk;
    t.max_bytes = request.max_response_bytes;  // bounds a collected error answer
    Prepared p;
    if (!Prepare(request, t, p)) {
      t.response.error = "cannot set up the request to " + request.url;
      return t.response;
    }
    // The multi interface lets this thread wake every kStreamPollInterval to look at the cancel
    // flag and the idle time, however quiet the server is.
    std::unique_ptr<CURLM, MultiDeleter> multi(curl_multi_init());
    if (!multi || curl_multi_add_handle(multi.get(), p.easy.get()) != CURLM_OK) {
      t.response.error = "cannot set up the request to " + request.url;
      return t.response;
    }
    CURLcode result = CURLE_OK;
    bool done = false;
    t.last_activity = Clock::now();
    while (!done) {
      int running = 0;
      if (curl_multi_perform(multi.get(), &running) != CURLM_OK) {
        t.response.error = "transfer failed";
        break;
      }
      int queued = 0;
      while (CURLMsg* msg = curl_multi_info_read(multi.get(), &queued)) {
        if (msg->msg == CURLMSG_DONE) {
          result = msg->data.result;
          done = true;
        }
      }
      if (done || running == 0) {
        done = true;
        break;
      }
      if (cancel != nullptr && cancel->load()) {
        t.response.error = "cancelled";
        break;
      }
      if (Clock::now() - t.last_activity > idle_timeout) {
        t.response.error = "no data for " + std::to_string(idle_timeout.count()) + " ms";
        break;
      }
      curl_multi_poll(multi.get(), nullptr, 0, static_cast<int>(kStreamPollInterval.count()),
                      nullptr);
    }
    curl_multi_remove_handle(multi.get(), p.easy.get());
    if (done) {
      Finish(result, request, t, p);
    } else {
      long status = 0;
      curl_easy_getinfo(p.easy.get(), CURLINFO_RESPONSE_CODE, &status);
      t.response.status = static_cast<int>(status);
    }
    return std::move(t.response);
  } catch (const std::exception& e) {
    Response r;
    r.error = e.what();
    return r;
  }
}

}  // namespace fhc::http
