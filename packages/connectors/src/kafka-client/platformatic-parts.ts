// What platformatic-client.ts loads on first use: everything that imports @platformatic/kafka.
export { platformaticAdmin } from "./platformatic-admin";
export { PlatformaticConsumer } from "./platformatic-consumer";
export { isPermanent } from "./platformatic-errors";
export { platformaticProducer } from "./platformatic-producer";
