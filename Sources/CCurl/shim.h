// Why this shim exists: curl_easy_setopt and curl_easy_getinfo are C variadics, and
// CURL_GLOBAL_ALL and friends are macros; Swift can import neither. Each wrapper below
// pins one argument type so the call is type-checked on both sides.
#ifndef TOUCHPOINT_CCURL_SHIM_H
#define TOUCHPOINT_CCURL_SHIM_H

#include <curl/curl.h>
#include <poll.h>
#include <stddef.h>

static inline CURLcode tp_curl_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode tp_curl_setopt_string(CURL *handle, CURLoption option, const char *value) {
    // libcurl copies string options (since 7.17), so the Swift string may die after the call.
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode tp_curl_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode tp_curl_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value) {
    // libcurl does NOT copy lists: the caller keeps the list alive through the transfer.
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode tp_curl_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value) {
    // *_LARGE options read a curl_off_t; passing a long through the variadic would be undefined.
    return curl_easy_setopt(handle, option, value);
}

typedef size_t (*tp_curl_data_callback)(char *buffer, size_t size, size_t count, void *userdata);
typedef int (*tp_curl_debug_callback)(CURL *handle, curl_infotype type, char *data, size_t size, void *userdata);

static inline CURLcode tp_curl_setopt_data_callback(CURL *handle, CURLoption option, tp_curl_data_callback callback) {
    return curl_easy_setopt(handle, option, callback);
}

static inline CURLcode tp_curl_setopt_debug_callback(CURL *handle, tp_curl_debug_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_DEBUGFUNCTION, callback);
}

static inline CURLcode tp_curl_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode tp_curl_getinfo_socket(CURL *handle, curl_socket_t *value) {
    return curl_easy_getinfo(handle, CURLINFO_ACTIVESOCKET, value);
}

static inline CURLcode tp_curl_getinfo_double(CURL *handle, CURLINFO info, double *value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode tp_curl_getinfo_off_t(CURL *handle, CURLINFO info, curl_off_t *value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode tp_curl_getinfo_string(CURL *handle, CURLINFO info, char **value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline long tp_curl_global_all(void) { return CURL_GLOBAL_ALL; }
static inline size_t tp_curl_error_size(void) { return CURL_ERROR_SIZE; }
static inline size_t tp_curl_readfunc_abort(void) { return CURL_READFUNC_ABORT; }

#endif
