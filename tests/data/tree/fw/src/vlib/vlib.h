/* fake framework marker header (tests of tree completion) */
typedef unsigned int u32;
