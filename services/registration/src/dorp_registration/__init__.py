"""Registration: the region's front door. Partner systems register members, requests for
help and offers of help; registration validates them against the region and publishes the
canonical events."""
