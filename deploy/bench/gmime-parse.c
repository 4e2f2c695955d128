/*
 * GMime 3.2 reference for `touchpoint-bench parse`.
 *
 *   gmime-parse [--repeat N] FILE_OR_DIR...
 *
 * Reads every file (directories recursively) into memory first, then times only the parsing:
 * construct the message, decode the subject and the From/To/Cc address lists, walk the MIME tree
 * (into message/rfc822 parts too), decode every non-attachment text part to UTF-8 and visit every
 * attachment without decoding it (filename and content type only).  Prints one logfmt line:
 *   bench=parse impl=gmime messages=N bytes=B seconds=S mb_per_s=X msgs_per_s=Y peak_rss_mb=M
 *   parse_cpu_seconds=C …  (C: CPU time of the same pass, a steadier figure on a shared machine)
 * With --repeat N the timed pass runs N times and the best is printed (best=N of runs).
 *
 * Build: cc -O2 -o gmime-parse gmime-parse.c $(pkg-config --cflags --libs gmime-3.0)
 */
#include <dirent.h>
#include <errno.h>
#include <gmime/gmime.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

typedef struct {
    GByteArray **items;
    size_t count, capacity, bytes;
} Corpus;

typedef struct {
    size_t text_parts, text_chars, attachments, name_chars;
} Visit;

static void die(const char *what, const char *path) {
    fprintf(stderr, "gmime-parse: %s: %s: %s\n", what, path, strerror(errno));
    exit(1);
}

static void add_file(Corpus *corpus, const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) die("cannot open", path);
    struct stat st;
    if (fstat(fileno(f), &st) != 0) die("cannot stat", path);
    GByteArray *data = g_byte_array_sized_new((guint)st.st_size);
    g_byte_array_set_size(data, (guint)st.st_size);
    if (st.st_size > 0 && fread(data->data, 1, (size_t)st.st_size, f) != (size_t)st.st_size) die("cannot read", path);
    fclose(f);
    if (corpus->count == corpus->capacity) {
        corpus->capacity = corpus->capacity ? corpus->capacity * 2 : 1024;
        corpus->items = realloc(corpus->items, corpus->capacity * sizeof *corpus->items);
        if (!corpus->items) die("out of memory", path);
    }
    corpus->items[corpus->count++] = data;
    corpus->bytes += data->len;
}

static int compare_names(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void add_path(Corpus *corpus, const char *path) {
    struct stat st;
    if (stat(path, &st) != 0) die("cannot stat", path);
    if (!S_ISDIR(st.st_mode)) {
        add_file(corpus, path);
        return;
    }
    DIR *dir = opendir(path);
    if (!dir) die("cannot open directory", path);
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) {
        if (entry->d_name[0] == '.') continue; /* also skips the .complete stamp */
        g_ptr_array_add(names, g_build_filename(path, entry->d_name, NULL));
    }
    closedir(dir);
    qsort(names->pdata, names->len, sizeof(char *), compare_names);
    for (guint i = 0; i < names->len; i++) add_path(corpus, names->pdata[i]);
    g_ptr_array_free(names, TRUE);
}

static void visit_addresses(InternetAddressList *list, Visit *visit) {
    if (!list) return;
    int n = internet_address_list_length(list);
    for (int i = 0; i < n; i++) {
        InternetAddress *address = internet_address_list_get_address(list, i);
        const char *name = internet_address_get_name(address);
        if (name) visit->name_chars += strlen(name);
        if (INTERNET_ADDRESS_IS_MAILBOX(address)) {
            const char *addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(address));
            if (addr) visit->name_chars += strlen(addr);
        } else if (INTERNET_ADDRESS_IS_GROUP(address)) {
            visit_addresses(internet_address_group_get_members(INTERNET_ADDRESS_GROUP(address)), visit);
        }
    }
}

static void visit_object(GMimeObject *object, Visit *visit, int depth);

static void visit_message(GMimeMessage *message, Visit *visit, int depth) {
    const char *subject = g_mime_message_get_subject(message);
    if (subject) visit->name_chars += strlen(subject);
    visit_addresses(g_mime_message_get_from(message), visit);
    visit_addresses(g_mime_message_get_addresses(message, GMIME_ADDRESS_TYPE_TO), visit);
    visit_addresses(g_mime_message_get_addresses(message, GMIME_ADDRESS_TYPE_CC), visit);
    GMimeObject *body = g_mime_message_get_mime_part(message);
    if (body) visit_object(body, visit, depth + 1);
}

static void visit_object(GMimeObject *object, Visit *visit, int depth) {
    if (depth > 64) return; /* bounded like the Touchpoint parser */
    if (GMIME_IS_MULTIPART(object)) {
        GMimeMultipart *multipart = GMIME_MULTIPART(object);
        int n = g_mime_multipart_get_count(multipart);
        for (int i = 0; i < n; i++) visit_object(g_mime_multipart_get_part(multipart, i), visit, depth + 1);
    } else if (GMIME_IS_MESSAGE_PART(object)) {
        GMimeMessage *inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(object));
        if (inner) visit_message(inner, visit, depth + 1);
    } else if (GMIME_IS_PART(object)) {
        GMimePart *part = GMIME_PART(object);
        if (GMIME_IS_TEXT_PART(object) && !g_mime_part_is_attachment(part)) {
            char *text = g_mime_text_part_get_text(GMIME_TEXT_PART(object));
            if (text) {
                visit->text_parts++;
                visit->text_chars += strlen(text);
                g_free(text);
            }
        } else {
            const char *filename = g_mime_part_get_filename(part);
            GMimeContentType *type = g_mime_object_get_content_type(object);
            const char *subtype = type ? g_mime_content_type_get_media_subtype(type) : NULL;
            visit->attachments++;
            if (filename) visit->name_chars += strlen(filename);
            if (subtype) visit->name_chars += strlen(subtype);
        }
    }
}

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Returns wall seconds; *cpu receives the CPU seconds of the same pass (robust on a shared machine). */
static double parse_all(const Corpus *corpus, Visit *visit, size_t *failures, double *cpu) {
    double start = now_seconds(), cpu_start = cpu_seconds();
    for (size_t i = 0; i < corpus->count; i++) {
        GMimeStream *stream = g_mime_stream_mem_new_with_byte_array(corpus->items[i]);
        g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(stream), FALSE); /* the corpus keeps the bytes */
        GMimeParser *parser = g_mime_parser_new_with_stream(stream);
        GMimeMessage *message = g_mime_parser_construct_message(parser, NULL);
        if (message) {
            visit_message(message, visit, 0);
            g_object_unref(message);
        } else {
            (*failures)++;
        }
        g_object_unref(parser);
        g_object_unref(stream);
    }
    *cpu = cpu_seconds() - cpu_start;
    return now_seconds() - start;
}

int main(int argc, char **argv) {
    int repeat = 1, first = 1;
    if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        printf("usage: gmime-parse [--repeat N] FILE_OR_DIR...\n"
               "Parses every message with GMime 3 (subject, addresses, text parts to UTF-8, attachment\n"
               "metadata) and prints bench=parse impl=gmime ... as one logfmt line (best of N runs).\n");
        return 0;
    }
    if (argc > 2 && !strcmp(argv[1], "--repeat")) {
        repeat = atoi(argv[2]);
        first = 3;
        if (repeat < 1 || repeat > 100) {
            fprintf(stderr, "gmime-parse: --repeat takes 1..100\n");
            return 2;
        }
    }
    if (first >= argc) {
        fprintf(stderr, "usage: gmime-parse [--repeat N] FILE_OR_DIR...\n");
        return 2;
    }
    g_mime_init();
    Corpus corpus = {0};
    for (int i = first; i < argc; i++) add_path(&corpus, argv[i]);

    double best = -1, best_cpu = 0;
    Visit visit = {0};
    size_t failures = 0;
    for (int run = 0; run < repeat; run++) {
        Visit this_run = {0};
        size_t this_failures = 0;
        double cpu = 0;
        double seconds = parse_all(&corpus, &this_run, &this_failures, &cpu);
        if (best < 0 || seconds < best) {
            best = seconds;
            best_cpu = cpu;
        }
        visit = this_run;
        failures = this_failures;
    }
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    printf("bench=parse impl=gmime messages=%zu bytes=%zu seconds=%.4f mb_per_s=%.1f msgs_per_s=%.0f "
           "peak_rss_mb=%.1f parse_cpu_seconds=%.4f runs=%d text_parts=%zu attachments=%zu failures=%zu\n",
           corpus.count, corpus.bytes, best, (double)corpus.bytes / 1e6 / best, (double)corpus.count / best,
           (double)usage.ru_maxrss / 1024.0, best_cpu, repeat, visit.text_parts, visit.attachments, failures);
    for (size_t i = 0; i < corpus.count; i++) g_byte_array_free(corpus.items[i], TRUE);
    free(corpus.items);
    g_mime_shutdown();
    return 0;
}
