/* In-guest tests of VXDLDR and the dynalink ([Debug] VxdTest=1; needs DYN.VXD in VMM/VXD, not
 * loaded at boot): see vxdtest.c. */
#ifndef VXD_VXDTEST_H
#define VXD_VXDTEST_H
void vxdtest_run(void);
#endif
