"""The client front: ``connect()``, vaults, protected VMs and fleet inventories; navigation that hands work down."""
