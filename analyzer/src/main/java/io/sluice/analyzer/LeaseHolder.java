package io.sluice.analyzer;

/** What holds this process's Lease or Leases: the shutdown gives them back before it closes the client. */
interface LeaseHolder {
    /** Stops competing and releases what is held; blocks until the releases were written. */
    void stop();
}
