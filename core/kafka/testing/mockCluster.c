/*
 * Launcher for librdkafka's mock Kafka cluster, driven by mockCluster.ts.
 *
 *   mockCluster [brokers]
 *
 * Prints the bootstrap servers as the first line of stdout, then reads one command per line from
 * stdin and answers each with one line, "ok" or "error <message>":
 *
 *   topic <name> <partitions> <replication>
 *   down <broker>                       (-1: every broker)
 *   up <broker>                         (-1: every broker)
 *   rtt <broker> <ms>                   (-1: every broker)
 *   errors <apikey> <count> <errcode>...
 *   broker_errors <broker> <apikey> <count> <errcode> <rtt_ms>...
 *   leader <topic> <partition> <broker> (-1: leaderless)
 *   controller <broker>
 *
 * Destroys the cluster and exits when stdin closes, so a test run that dies leaves nothing
 * behind. Written against librdkafka 2.0.2 (Debian bookworm's librdkafka-dev).
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#define MAX_ARGS 512

static rd_kafka_t *rk;
static rd_kafka_mock_cluster_t *mcluster;
static int broker_cnt;
static int32_t controller_id; /* what the cluster reports; 0 until "controller" sets it */

/* Parses a whole decimal integer within [min, max]. */
static int parse_int(const char *s, long min, long max, long *out) {
  char *end;
  long v;
  if (s == NULL || *s == '\0') return -1;
  errno = 0;
  v = strtol(s, &end, 10);
  if (errno != 0 || *end != '\0' || v < min || v > max) return -1;
  *out = v;
  return 0;
}

/*
 * The mock reports the controller in Metadata as mcluster->controller_id, a field that no
 * function in this version sets, so every Metadata response names broker 0, while mock broker ids
 * start at 1. Clients that send requests to the controller (KafkaJS's idempotent producer for
 * InitProducerId, its admin for CreateTopics) then fail with "Broker 0 not found".
 *
 * The cluster struct is private, but its first fields have had the same layout since the mock
 * was added: char id[32]; rd_kafka_t *rk; int32_t controller_id. The layout is checked against
 * what is known (the id is a NUL-terminated string, rk is the handle the cluster was created on,
 * the controller is the value last written) before the field is written; on any mismatch nothing
 * is written and the command answers an error.
 */
struct mock_cluster_head {
  char id[32];
  rd_kafka_t *rk;
  int32_t controller_id;
};

static const char *set_controller(int32_t broker_id) {
  struct mock_cluster_head *head = (struct mock_cluster_head *)mcluster;
  if (head->rk != rk || rd_kafka_mock_cluster_handle(mcluster) != rk ||
      memchr(head->id, '\0', sizeof(head->id)) == NULL || head->id[0] == '\0' ||
      __atomic_load_n(&head->controller_id, __ATOMIC_SEQ_CST) != controller_id)
    return "unsupported librdkafka version: the mock cluster's layout is not the one expected";
  __atomic_store_n(&head->controller_id, broker_id, __ATOMIC_SEQ_CST);
  controller_id = broker_id;
  return NULL;
}

/* Runs one command; returns NULL for ok or the error message. */
static const char *run_command(int argc, char **argv, char *buf, size_t bufsize) {
  const char *cmd = argv[0];
  long a, b, c;
  rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;

  if (strcmp(cmd, "topic") == 0) {
    if (argc != 4 || parse_int(argv[2], 1, INT_MAX, &a) || parse_int(argv[3], 1, INT_MAX, &b))
      return "usage: topic <name> <partitions> <replication>";
    err = rd_kafka_mock_topic_create(mcluster, argv[1], (int)a, (int)b);
  } else if (strcmp(cmd, "down") == 0 || strcmp(cmd, "up") == 0) {
    if (argc != 2 || parse_int(argv[1], -1, INT32_MAX, &a)) return "usage: down|up <broker>";
    err = cmd[0] == 'd' ? rd_kafka_mock_broker_set_down(mcluster, (int32_t)a)
                        : rd_kafka_mock_broker_set_up(mcluster, (int32_t)a);
  } else if (strcmp(cmd, "rtt") == 0) {
    if (argc != 3 || parse_int(argv[1], -1, INT32_MAX, &a) || parse_int(argv[2], 0, INT_MAX, &b))
      return "usage: rtt <broker> <ms>";
    err = rd_kafka_mock_broker_set_rtt(mcluster, (int32_t)a, (int)b);
  } else if (strcmp(cmd, "errors") == 0) {
    rd_kafka_resp_err_t codes[MAX_ARGS];
    if (argc < 3 || parse_int(argv[1], 0, INT16_MAX, &a) ||
        parse_int(argv[2], 1, MAX_ARGS - 3, &b) || argc != 3 + b)
      return "usage: errors <apikey> <count> <errcode>...";
    for (long i = 0; i < b; i++) {
      if (parse_int(argv[3 + i], INT_MIN, INT_MAX, &c)) return "errcode must be an integer";
      codes[i] = (rd_kafka_resp_err_t)c;
    }
    rd_kafka_mock_push_request_errors_array(mcluster, (int16_t)a, (size_t)b, codes);
    return NULL;
  } else if (strcmp(cmd, "broker_errors") == 0) {
    long broker, count;
    if (argc < 4 || parse_int(argv[1], 0, INT32_MAX, &broker) ||
        parse_int(argv[2], 0, INT16_MAX, &a) || parse_int(argv[3], 1, (MAX_ARGS - 4) / 2, &count) ||
        argc != 4 + 2 * count)
      return "usage: broker_errors <broker> <apikey> <count> <errcode> <rtt_ms>...";
    for (long i = 0; i < count; i++) {
      if (parse_int(argv[4 + 2 * i], INT_MIN, INT_MAX, &b) ||
          parse_int(argv[5 + 2 * i], 0, INT_MAX, &c))
        return "errcode and rtt_ms must be integers";
    }
    /* This version has only a varargs form. Each call appends its entries to the broker's stack
     * for the ApiKey, so pushing one (error, rtt) pair per call keeps the given order. */
    for (long i = 0; i < count; i++) {
      parse_int(argv[4 + 2 * i], INT_MIN, INT_MAX, &b);
      parse_int(argv[5 + 2 * i], 0, INT_MAX, &c);
      err = rd_kafka_mock_broker_push_request_error_rtts(mcluster, (int32_t)broker, (int16_t)a, 1,
                                                         (rd_kafka_resp_err_t)b, (int)c);
      if (err) break;
    }
  } else if (strcmp(cmd, "leader") == 0) {
    if (argc != 4 || parse_int(argv[2], 0, INT32_MAX, &a) || parse_int(argv[3], -1, INT32_MAX, &b))
      return "usage: leader <topic> <partition> <broker>";
    err = rd_kafka_mock_partition_set_leader(mcluster, argv[1], (int32_t)a, (int32_t)b);
  } else if (strcmp(cmd, "controller") == 0) {
    if (argc != 2 || parse_int(argv[1], 1, broker_cnt, &a))
      return "usage: controller <broker> (an existing broker id)";
    return set_controller((int32_t)a);
  } else {
    snprintf(buf, bufsize, "unknown command '%s'", cmd);
    return buf;
  }

  if (err) {
    snprintf(buf, bufsize, "%s: %s", rd_kafka_err2name(err), rd_kafka_err2str(err));
    return buf;
  }
  return NULL;
}

int main(int argc, char **argv) {
  char errstr[512];
  char *line = NULL;
  size_t cap = 0;
  long brokers = 3;

  if (argc > 2 || (argc == 2 && parse_int(argv[1], 1, 64, &brokers))) {
    fprintf(stderr, "usage: %s [brokers 1..64]\n", argv[0]);
    return 2;
  }
  broker_cnt = (int)brokers;
  setvbuf(stdout, NULL, _IOLBF, 0);

  /* The mock cluster needs a client handle for its bookkeeping; this one never connects. */
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  if (rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK) {
    fprintf(stderr, "mockCluster: %s\n", errstr);
    return 1;
  }
  rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
  if (rk == NULL) {
    fprintf(stderr, "mockCluster: rd_kafka_new: %s\n", errstr);
    return 1;
  }
  mcluster = rd_kafka_mock_cluster_new(rk, broker_cnt);
  if (mcluster == NULL) {
    fprintf(stderr, "mockCluster: rd_kafka_mock_cluster_new failed\n");
    rd_kafka_destroy(rk);
    return 1;
  }

  printf("%s\n", rd_kafka_mock_cluster_bootstraps(mcluster));

  ssize_t len;
  while ((len = getline(&line, &cap, stdin)) != -1) {
    char *args[MAX_ARGS];
    char buf[512];
    int n = 0;
    char *save = NULL;
    for (char *tok = strtok_r(line, " \t\r\n", &save); tok != NULL && n < MAX_ARGS;
         tok = strtok_r(NULL, " \t\r\n", &save))
      args[n++] = tok;
    if (n == 0) {
      printf("error empty command\n");
      continue;
    }
    const char *error = n == MAX_ARGS ? "too many arguments" : run_command(n, args, buf, sizeof(buf));
    if (error) printf("error %s\n", error);
    else printf("ok\n");
  }

  free(line);
  rd_kafka_mock_cluster_destroy(mcluster);
  rd_kafka_destroy(rk);
  return 0;
}
