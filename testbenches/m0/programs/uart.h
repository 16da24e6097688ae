/* Printing on a system's UART (pluton_uart registers), for the programs that run on pluton_m0sys
 * and pluton_soc. Define UART_BASE_ADDR (the UART's byte address) before including. */
#ifndef UART_H
#define UART_H
#include <stdint.h>
#include "../../../rtl/pluton_uart_regs.h"

#define UART(r) (*(volatile uint32_t *)(UART_BASE_ADDR + PLUTON_UART_##r##_OFFSET))

/* Bits per second = clock / DIV: 1 makes a byte 10 cycles, for simulation. An FPGA build at
 * 12 MHz and 115200 baud leaves the reset value (104) instead. */
#ifndef UART_DIV
#define UART_DIV 1u
#endif

static inline void uart_init(void) { UART(DIV) = UART_DIV; }

static inline void uart_putc(char c) {
    while (UART(STATUS) & PLUTON_UART_STATUS_BUSY_MASK) {
    }
    UART(TXDATA) = (uint8_t)c;
}

static inline void uart_puts(const char *s) {
    while (*s) uart_putc(*s++);
}

static inline void uart_hex8(uint32_t b) {
    static const char digits[] = "0123456789abcdef";
    uart_putc(digits[(b >> 4) & 0xF]);
    uart_putc(digits[b & 0xF]);
}

/* 32 bytes as 64 hex digits, byte 0 first. */
static inline void uart_hex32bytes(const uint8_t *b) {
    for (uint32_t i = 0; i < 32; i++) uart_hex8(b[i]);
}
#endif
