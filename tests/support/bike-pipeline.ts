// Tests build the bike streams the way the services do.
export { bikeStreams, type BikeStreams } from "../../examples/bike-traffic/streams.ts";
