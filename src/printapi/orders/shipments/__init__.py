"""Shipments: the parcels an order leaves in (extension).

An order in Processing gets one shipment per parcel, each naming how many of which items it
carries; quantities never go past what is left to ship. A parcel that leaves items behind keeps
the order Processing and is a change of its own (history, webhooks); the parcel that carries the
last of them moves the order to Shipped. A move to Shipped by other means (the operator's status
change, the test simulator) ships what was left as one shipment.
"""
