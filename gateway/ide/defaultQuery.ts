/**
 * What the IDE opens with: a search of every mall (a keyword every demo mall
 * stocks), and the approval subscription to try next, which needs a token in
 * the headers editor (a token that does not verify is refused, so none is prefilled).
 */
export const DEFAULT_QUERY = `# Every mall, searched at once:
# press ▶ and pick SearchEveryMall.
#
# For ApprovalCount, put a token
# in Headers (below) as
# {"Authorization": "Bearer <token>"}
query SearchEveryMall {
  malls {
    id
    name
    search(keyword: "갤럭시 버즈", first: 5) {
      offers {
        title
        price
        url
        product {
          name
        }
      }
    }
  }
}

subscription ApprovalCount {
  approvalCountChanged {
    total
    items {
      system {
        id
      }
      count
    }
  }
}
`;
