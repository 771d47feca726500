/* libFuzzer: arbitrary register map files through the real map loader,
 * its expansion and the signal look-up the OCPP plugins use. */
#define _GNU_SOURCE
#include "config.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#include "modbus_common/regmap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int fd = -1;
    char path[64];
    char *err = NULL;
    if (fd < 0)
        fd = memfd_create("gw-fuzz-map", 0);
    if (ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
        return 0;
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    gw_regmap_t *map = gw_regmap_load(path, &err);
    if (map) {
        gw_regmap_signal_state(map, "charger.0.connector.1.status", "bms");
        gw_regmap_signal_state(map, "charger.19.info.comm_status", "bridge");
        gw_regmap_signal_state(map, "bms.heartbeat", "bms");
        gw_regmap_free(map);
    }
    free(err);
    return 0;
}
