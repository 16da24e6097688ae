@ Start-up for the C test programs: vector table (every handler weak, defaulting to a report and
@ a failing exit), .data copy, .bss zeroing, main(), and exit through semihosting.

    .syntax unified
    .cpu cortex-m0
    .thumb

    .section .vectors, "a"
    .word __stack_top
    .word reset_handler
    .word nmi_handler
    .word hardfault_handler
    .rept 7
    .word unexpected_handler
    .endr
    .word svc_handler
    .word unexpected_handler
    .word unexpected_handler
    .word pendsv_handler
    .word systick_handler
    .word irq0_handler, irq1_handler, irq2_handler, irq3_handler
    .word irq4_handler, irq5_handler, irq6_handler, irq7_handler

    .text
    .thumb_func
    .global reset_handler
reset_handler:
    ldr r0, =__data_start
    ldr r1, =__data_end
    ldr r2, =__data_load
1:  cmp r0, r1
    bhs 2f
    ldr r3, [r2]
    str r3, [r0]
    adds r0, #4
    adds r2, #4
    b 1b
2:  ldr r0, =__bss_start
    ldr r1, =__bss_end
    movs r3, #0
3:  cmp r0, r1
    bhs 4f
    str r3, [r0]
    adds r0, #4
    b 3b
4:  bl main
    @ main's return value: 0 is a normal exit, anything else fails
    ldr r1, =0x20026
    cmp r0, #0
    beq 5f
    movs r1, #1
5:  movs r0, #0x18
    bkpt 0xab
    b .

    @ Every handler a program does not define is this one; .thumb_set keeps the Thumb bit
    @ (bit 0) in the aliases' vector entries.
    .weak nmi_handler, hardfault_handler, svc_handler, pendsv_handler, systick_handler
    .weak irq0_handler, irq1_handler, irq2_handler, irq3_handler
    .weak irq4_handler, irq5_handler, irq6_handler, irq7_handler
    .thumb_set nmi_handler, unexpected_handler
    .thumb_set hardfault_handler, unexpected_handler
    .thumb_set svc_handler, unexpected_handler
    .thumb_set pendsv_handler, unexpected_handler
    .thumb_set systick_handler, unexpected_handler
    .thumb_set irq0_handler, unexpected_handler
    .thumb_set irq1_handler, unexpected_handler
    .thumb_set irq2_handler, unexpected_handler
    .thumb_set irq3_handler, unexpected_handler
    .thumb_set irq4_handler, unexpected_handler
    .thumb_set irq5_handler, unexpected_handler
    .thumb_set irq6_handler, unexpected_handler
    .thumb_set irq7_handler, unexpected_handler
    .thumb_func
    .global unexpected_handler
unexpected_handler:
    mrs r4, ipsr
    movs r0, #4
    adr r1, unexpected_msg
    bkpt 0xab
    movs r0, #0x18
    movs r1, #1
    bkpt 0xab
    b .

    .align 2
unexpected_msg:
    .asciz "unexpected exception\n"
    .align 2
    .ltorg
