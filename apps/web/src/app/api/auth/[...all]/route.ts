// better-auth's endpoints: sign-in, sign-out, session, change-password (see @weir/auth).
import { getAuth } from "~/server/auth";

function handler(req: Request): Promise<Response> {
  return getAuth().handler(req);
}

export { handler as GET, handler as POST };
