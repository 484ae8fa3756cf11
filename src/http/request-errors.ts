/**
 * A request Yoga's own parsers choke on is the client's mistake: GET (and form-encoded) requests
 * carry `variables` and `extensions` as JSON in the query string, and Yoga parses them with a bare
 * `JSON.parse`, whose SyntaxError became a masked 500 ("Unexpected error."). Here it is a short
 * 400 `BAD_REQUEST`, like a bad JSON body. POST JSON bodies are left alone: Yoga already answers
 * those with a 400.
 */
import { createGraphQLError, type Plugin } from 'graphql-yoga';

function badRequest(error: unknown): unknown {
  if (!(error instanceof SyntaxError)) {
    return error;
  }
  return createGraphQLError('The query string holds invalid JSON (variables or extensions).', {
    extensions: { code: 'BAD_REQUEST', http: { status: 400, spec: false } },
  });
}

export function useRequestParseErrors(): Plugin {
  return {
    onRequestParse({ request, requestParser, setRequestParser }) {
      const type = request.headers.get('content-type') ?? '';
      if (requestParser === undefined || (request.method === 'POST' && !type.includes('form'))) {
        return;
      }
      const parse = requestParser;
      setRequestParser((req) => {
        try {
          const parsed = parse(req);
          return parsed instanceof Promise
            ? parsed.catch((error: unknown) => {
                throw badRequest(error);
              })
            : parsed;
        } catch (error) {
          throw badRequest(error);
        }
      });
    },
  };
}
