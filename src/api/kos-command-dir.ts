/** Where KOS's convention keeps the data-plane test programs (TestByPing, RemoveNetNS) on comp nodes. */
export const KOS_COMMAND_DIR = '/usr/local/kos/bin';
