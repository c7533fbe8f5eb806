/**
 * The workload's one operation, shaped as the public federation benchmark's:
 * users and top products, each down through reviews, products and authors
 * (every subgraph, entity fetches at each level, a @requires and a @provides).
 */
export const WORKLOAD_QUERY = `
fragment UserFields on User { id username name }
fragment ReviewFields on Review { id body }
fragment ProductFields on Product { inStock name price shippingEstimate upc weight }

query WorkloadQuery {
  users {
    ...UserFields
    reviews {
      ...ReviewFields
      product {
        ...ProductFields
        reviews {
          ...ReviewFields
          author {
            ...UserFields
            reviews { ...ReviewFields product { ...ProductFields } }
          }
        }
      }
    }
  }
  topProducts {
    ...ProductFields
    reviews {
      ...ReviewFields
      author {
        ...UserFields
        reviews { ...ReviewFields product { ...ProductFields } }
      }
    }
  }
}
`;

/** The request body every client sends. */
export const WORKLOAD_BODY = JSON.stringify({ query: WORKLOAD_QUERY });
