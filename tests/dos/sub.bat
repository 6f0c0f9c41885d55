@ECHO sub: %1>> OUT.TXT
