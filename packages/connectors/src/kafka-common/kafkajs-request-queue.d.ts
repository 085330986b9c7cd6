// kafkajs' request queue module (CommonJS, untyped): request-queue-idle-loop.ts patches its prototype.
declare module "kafkajs/src/network/requestQueue/index.js" {
  const RequestQueue: { prototype: object };
  export default RequestQueue;
}
