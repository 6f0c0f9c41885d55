/*
 * The PC's screen, for the display's VxD (VDD) alone: the VMM's console draws its text on the
 * firmware's framebuffer until VDD takes the screen to show the focus VM's (VMM_Screen_Take,
 * linked by name); from then the console's lines go to the serial port only, until VDD gives it
 * back (VMM_Screen_Give: the console clears the screen and draws on).  The font is the
 * console's, in code page 437 order (include/vmm/cp437.h).
 */
#ifndef VMM_SCREEN_H
#define VMM_SCREEN_H
#include <stdint.h>

struct vmm_screen {
    volatile uint32_t *base;            /* pixel (0,0), 32 bits a pixel */
    uint32_t width, height, pitch;      /* pixels, pixels, bytes per scan line */
    uint32_t red_mask, green_mask, blue_mask;
    const uint8_t (*font)[32];          /* 256 glyphs, 8 pixels wide, MSB leftmost */
    uint32_t font_height;
};

int  VMM_Screen_Take(struct vmm_screen *out);   /* 1: it is VDD's now; 0: no framebuffer */
void VMM_Screen_Give(void);
void VMM_Serial_Write(const char *s, uint32_t n); /* raw bytes to COM1 (if it is there) */

#endif
