/* gen_vocab.h: the code `kiln gen` pretends to profile: services, their
 * transports and the library call chains (root first, ';'-separated) from
 * which gen.c composes Go-like stacks. Frame syntax: "~" = inlined into the
 * caller (shares its location), "!X" = native function in library X,
 * "@file" = source file relative to the package directory, "{var}" = a
 * per-service or per-stack placeholder, "@alloc" = one of GEN_ALLOC. */
#ifndef KILN_GEN_VOCAB_H
#define KILN_GEN_VOCAB_H

#include "gen_model.h"

/* Mapping kinds, in the order a profile lists them. */
enum { LIB_MAIN, LIB_C, LIB_SSL, LIB_CRYPTO, LIB_Z, LIB_RDKAFKA, LIB_VDSO,
       LIB_COUNT };

/* Transports of an endpoint. */
enum { TR_HTTP = 1, TR_GRPC = 2, TR_EVENT = 4 };

static const gen_svcdef GEN_SERVICES[] = {
    {"checkout", "Order,Cart,Total,Payment,Address,Discount",
     "PlaceOrder,GetOrder,ListOrders,ComputeTotals,ApplyDiscount,ValidateAddress",
     "order,pricing,tax,fulfillment", "payments,inventory,cart,shipping", "",
     F_SQL | F_REDIS | F_REGEX | F_HASH | F_PEERS},
    {"cart", "Cart,Item,Quantity,Promotion",
     "GetCart,AddItem,RemoveItem,UpdateQuantity,MergeCarts,EmptyCart",
     "cart,promotions", "inventory", "", F_REDIS | F_GRPC | F_PEERS},
    {"payments", "Charge,Refund,Card,Ledger,Authorization",
     "AuthorizeCharge,CaptureCharge,RefundCharge,GetCharge,ListTransactions,TokenizeCard",
     "charges,ledger,risk,tokens", "auth", "CardNetwork",
     F_SQL | F_SSL | F_HASH | F_GRPC | F_FIPS | F_PEERS},
    {"search", "Query,Index,Result,Facet,Document",
     "Search,Suggest,Facets,GetDocument,IndexDocuments",
     "query,index,ranking,analyzers", "", "",
     F_RANK | F_REGEX | F_REDIS | F_ZLIB},
    {"inventory", "Stock,Reservation,Warehouse,Sku",
     "GetStock,ReserveStock,ReleaseReservation,ListWarehouses,AdjustStock",
     "stock,reservations,warehouses", "", "", F_SQL | F_KAFKA | F_GRPC},
    {"auth", "Token,Session,Credential,Claims,User",
     "Login,Refresh,VerifyToken,Logout,ListSessions",
     "tokens,sessions,credentials", "", "",
     F_JWT | F_BCRYPT | F_REDIS | F_SQL | F_GRPC | F_FIPS},
    {"shipping", "Quote,Label,Rate,Carrier,Parcel",
     "GetQuote,CreateLabel,TrackParcel,ListCarriers,ValidateParcel",
     "rates,labels,carriers,tracking", "", "CarrierAPI",
     F_SSL | F_SQL | F_ZLIB | F_KAFKA},
    {"frontend", "Page,Product,Template,Asset,Session",
     "RenderHome,RenderProduct,RenderCart,Search,ServeAsset",
     "pages,assets,sessions", "checkout,cart,search,recommendations", "",
     F_TMPL | F_FIPS | F_ZLIB | F_REGEX | F_PEERS},
    {"recommendations", "Recommendation,Embedding,Candidate,Score,Product",
     "Recommend,SimilarItems,TopSellers,RecordView",
     "candidates,scoring,embeddings", "", "", F_RANK | F_REDIS | F_GRPC},
    {"notifications", "Notification,Email,Template,Subscriber,Message",
     "SendEmail,SendPush,ListNotifications,UpdatePreferences",
     "delivery,templates,preferences", "", "MailRelay",
     F_KAFKA | F_TMPL | F_SSL | F_SQL},
};

/* Names for services past the list above (features drawn per service). */
static const char *const GEN_MORE_NAMES[] = {
    "ads", "reviews", "pricing", "catalog", "accounts", "billing", "ledger",
    "fraud", "geo", "media", "sessions", "gateway", "quotes", "reports",
    "audit", "exports", "scheduler", "indexer", "ratings", "wishlist",
    "loyalty", "tax", "invoices", "returns", "warehouse", "identity",
    "profiles", "feeds", "chat", "emails",
};

static const char *const GEN_VERBS[] = {
    "load", "enrich", "apply", "resolve", "fetch", "merge", "check", "build",
    "normalize", "collect",
};

static const char *const GEN_STORE_VERBS[] = {
    "Find", "List", "Insert", "Update", "Count", "Upsert",
};

/* Module roots and the versions their files live under in the module cache
 * (longest prefixes first). */
static const char *const GEN_MODULES[][2] = {
    {"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc", "v0.49.0"},
    {"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp", "v0.49.0"},
    {"github.com/confluentinc/confluent-kafka-go/v2", "v2.3.0"},
    {"github.com/prometheus/client_golang", "v1.19.0"},
    {"github.com/prometheus/common", "v0.48.0"},
    {"go.opentelemetry.io/otel/sdk", "v1.24.0"},
    {"github.com/redis/go-redis/v9", "v9.5.1"},
    {"github.com/golang-jwt/jwt/v5", "v5.2.1"},
    {"google.golang.org/protobuf", "v1.33.0"},
    {"github.com/go-chi/chi/v5", "v5.0.12"},
    {"github.com/jackc/pgx/v5", "v5.5.5"},
    {"google.golang.org/grpc", "v1.62.1"},
    {"golang.org/x/crypto", "v0.21.0"},
    {"go.uber.org/zap", "v1.27.0"},
};

/* Entry into an endpoint, per transport: the frames from the goroutine's
 * root to the handler. `cut` = frames kept for transport-level work (the
 * response write after the handler returns). */
static const char GEN_HTTP_PREFIX[] =
    "runtime.goexit@asm_amd64.s;"
    "net/http.(*conn).serve@server.go;"
    "net/http.serverHandler.ServeHTTP@server.go;"
    "go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp.(*middleware).serveHTTP@handler.go;"
    "net/http.HandlerFunc.ServeHTTP@server.go;"
    "github.com/go-chi/chi/v5.(*Mux).ServeHTTP@mux.go;"
    "github.com/go-chi/chi/v5/middleware.RequestID.func1@request_id.go;"
    "net/http.HandlerFunc.ServeHTTP@server.go;"
    "github.com/go-chi/chi/v5/middleware.Recoverer.func1@recoverer.go;"
    "net/http.HandlerFunc.ServeHTTP@server.go;"
    "github.com/acme/{svc}/internal/middleware.Metrics.func1@metrics.go;"
    "net/http.HandlerFunc.ServeHTTP@server.go;"
    "github.com/acme/{svc}/internal/middleware.Authenticate.func1@auth.go;"
    "net/http.HandlerFunc.ServeHTTP@server.go;"
    "github.com/go-chi/chi/v5.(*Mux).routeHTTP@mux.go;"
    "github.com/go-chi/chi/v5.(*Mux).Mount.func1@mux.go;"
    "github.com/go-chi/chi/v5.(*Mux).ServeHTTP@mux.go;"
    "github.com/go-chi/chi/v5.(*Mux).routeHTTP@mux.go;"
    "net/http.HandlerFunc.ServeHTTP@server.go;"
    "github.com/acme/{svc}/internal/api.(*Server).handle{Ep}@handlers.go";
#define GEN_HTTP_CUT 2

static const char GEN_GRPC_PREFIX[] =
    "runtime.goexit@asm_amd64.s;"
    "google.golang.org/grpc.(*Server).serveStreams.func2.1@server.go;"
    "google.golang.org/grpc.(*Server).handleStream@server.go;"
    "google.golang.org/grpc.(*Server).processUnaryRPC@server.go;"
    "github.com/acme/{svc}/gen/{svcid}pb._{Svc}Service_{Ep}_Handler@{svcid}_grpc.pb.go;"
    "google.golang.org/grpc.chainUnaryInterceptors.func1@server.go;"
    "go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc.UnaryServerInterceptor.func1@interceptor.go;"
    "google.golang.org/grpc.getChainUnaryHandler.func1@server.go;"
    "github.com/acme/{svc}/internal/grpcapi.loggingInterceptor@interceptors.go;"
    "google.golang.org/grpc.getChainUnaryHandler.func1@server.go;"
    "github.com/acme/{svc}/internal/grpcapi.authInterceptor@interceptors.go;"
    "google.golang.org/grpc.getChainUnaryHandler.func1@server.go;"
    "github.com/acme/{svc}/internal/grpcapi.recoverInterceptor@interceptors.go;"
    "github.com/acme/{svc}/gen/{svcid}pb._{Svc}Service_{Ep}_Handler.func1@{svcid}_grpc.pb.go;"
    "github.com/acme/{svc}/internal/grpcapi.(*Server).{Ep}@server.go";
#define GEN_GRPC_CUT 4

static const char GEN_EVENT_PREFIX[] =
    "runtime.goexit@asm_amd64.s;"
    "github.com/acme/{svc}/internal/events.(*Consumer).Run.func1@consumer.go;"
    "github.com/acme/{svc}/internal/events.(*Consumer).dispatch@consumer.go;"
    "github.com/acme/{svc}/internal/events.(*Consumer).dispatch.func1@consumer.go;"
    "github.com/acme/{svc}/internal/events.withTracing.func1@middleware.go;"
    "github.com/acme/{svc}/internal/events.withRetry.func1@middleware.go;"
    "github.com/acme/{svc}/internal/events.(*Handlers).{Ep}@handlers.go";

/* The service layer between a handler and a library call. */
static const char GEN_SERVICE_FRAME[] =
    "github.com/acme/{svc}/internal/{pkg}.(*Service).{Ep}@service.go";
static const char GEN_HELPER_FRAME[] =
    "github.com/acme/{svc}/internal/{pkg}.(*Service).{helper}{Noun}@{pkg}.go";

#define GEN_SYSCALL_READ                                                      \
    "net.(*conn).Read@net.go;net.(*netFD).Read@fd_posix.go;"                  \
    "internal/poll.(*FD).Read@fd_unix.go;~internal/poll.ignoringEINTRIO@fd_unix.go;" \
    "syscall.Read@syscall_unix.go;~syscall.read@zsyscall_linux_amd64.go;"     \
    "syscall.Syscall@syscall_linux.go;syscall.RawSyscall6@syscall_linux.go;"  \
    "runtime/internal/syscall.Syscall6@asm_linux_amd64.s"
#define GEN_SYSCALL_WRITE_FD                                                  \
    "internal/poll.(*FD).Write@fd_unix.go;~internal/poll.ignoringEINTRIO@fd_unix.go;" \
    "syscall.Write@syscall_unix.go;~syscall.write@zsyscall_linux_amd64.go;"   \
    "syscall.Syscall@syscall_linux.go;syscall.RawSyscall6@syscall_linux.go;"  \
    "runtime/internal/syscall.Syscall6@asm_linux_amd64.s"
#define GEN_SYSCALL_WRITE                                                     \
    "net.(*conn).Write@net.go;net.(*netFD).Write@fd_posix.go;" GEN_SYSCALL_WRITE_FD

/* Allocation and runtime leaves appended where a chain ends in "@alloc". */
static const char *const GEN_ALLOC[] = {
    "runtime.mallocgc@malloc.go;~runtime.nextFreeFast@malloc.go",
    "runtime.mallocgc@malloc.go",
    "runtime.growslice@slice.go;runtime.mallocgc@malloc.go;runtime.memclrNoHeapPointers@memclr_amd64.s",
    "runtime.mallocgc@malloc.go;runtime.(*mcache).nextFree@malloc.go;runtime.(*mcache).refill@mcache.go;"
    "runtime.(*mcentral).cacheSpan@mcentral.go;runtime.(*mcentral).grow@mcentral.go;"
    "runtime.(*mheap).alloc@mheap.go;runtime.systemstack@asm_amd64.s;runtime.(*mheap).alloc.func1@mheap.go;"
    "runtime.(*mheap).allocSpan@mheap.go",
    "runtime.mallocgc@malloc.go;runtime.gcAssistAlloc@mgcmark.go;runtime.systemstack@asm_amd64.s;"
    "runtime.gcAssistAlloc.func1@mgcmark.go;runtime.gcAssistAlloc1@mgcmark.go;runtime.gcDrainN@mgcmark.go;"
    "runtime.scanobject@mgcmark.go",
    "runtime.growslice@slice.go;runtime.memmove@memmove_amd64.s",
    "runtime.makeslice@slice.go;runtime.mallocgc@malloc.go",
    "runtime.newobject@malloc.go;runtime.mallocgc@malloc.go;runtime.heapBitsSetType@mbitmap.go",
    "runtime.convTstring@iface.go;runtime.mallocgc@malloc.go",
    "runtime.concatstrings@string.go;runtime.rawstringtmp@string.go;runtime.rawstring@string.go;runtime.mallocgc@malloc.go",
    "runtime.slicebytetostring@string.go;runtime.mallocgc@malloc.go",
    "runtime.gcWriteBarrier2@asm_amd64.s;runtime.wbBufFlush@mwbbuf.go;runtime.systemstack@asm_amd64.s;runtime.wbBufFlush.func1@mwbbuf.go;runtime.wbBufFlush1@mwbbuf.go;runtime.findObject@mbitmap.go",
    "runtime.memmove@memmove_amd64.s",
};

/* A library call chain used by endpoints. site: 'H' called from the
 * handler, 'S' from the service layer, 'T' from the transport after the
 * handler (response write), 'U' from the generated gRPC handler before
 * the service code (request decode). */
typedef struct gen_chain {
    unsigned need;      /* features required (0 = every service) */
    unsigned transport; /* TR_* mask of endpoints that can use it */
    char site;
    const char *glue;   /* service code leading into the library */
    const char *body;
    const char *rep;    /* repeated section (recursion), or NULL */
    unsigned rmin, rmax;
    const char *leaves[8];
    double scale;       /* weight factor of the chain */
} gen_chain;

static const gen_chain GEN_CHAINS[] = {
    /* JSON response */
    {0, TR_HTTP, 'H', "github.com/acme/{svc}/internal/api.writeJSON@respond.go",
     "encoding/json.(*Encoder).Encode@stream.go;encoding/json.(*encodeState).marshal@encode.go;"
     "encoding/json.(*encodeState).reflectValue@encode.go;encoding/json.ptrEncoder.encode@encode.go;"
     "encoding/json.structEncoder.encode@encode.go",
     "encoding/json.sliceEncoder.encode@encode.go;encoding/json.arrayEncoder.encode@encode.go;"
     "encoding/json.ptrEncoder.encode@encode.go;encoding/json.structEncoder.encode@encode.go", 0, 3,
     {"encoding/json.stringEncoder@encode.go;encoding/json.appendString[...]@encode.go",
      "encoding/json.stringEncoder@encode.go;encoding/json.appendString[...]@encode.go;~unicode/utf8.DecodeRuneInString@utf8.go",
      "encoding/json.floatEncoder.encode@encode.go;strconv.AppendFloat@ftoa.go;strconv.genericFtoa@ftoa.go;strconv.ryuFtoaShortest@ftoaryu.go",
      "encoding/json.intEncoder@encode.go;strconv.AppendInt@itoa.go;~strconv.formatBits@itoa.go",
      "encoding/json.marshalerEncoder@encode.go;time.Time.MarshalJSON@time.go;time.Time.appendFormatRFC3339@format_rfc3339.go",
      "encoding/json.mapEncoder.encode@encode.go;reflect.(*MapIter).Next@value.go;runtime.mapiternext@map.go",
      "encoding/json.stringEncoder@encode.go;encoding/json.appendString[...]@encode.go;@alloc", NULL}, 1},
    /* JSON request */
    {0, TR_HTTP, 'H', "github.com/acme/{svc}/internal/api.decodeJSON@respond.go",
     "encoding/json.(*Decoder).Decode@stream.go;encoding/json.(*decodeState).unmarshal@decode.go;"
     "encoding/json.(*decodeState).value@decode.go;encoding/json.(*decodeState).object@decode.go",
     "encoding/json.(*decodeState).value@decode.go;encoding/json.(*decodeState).array@decode.go;"
     "encoding/json.(*decodeState).value@decode.go;encoding/json.(*decodeState).object@decode.go", 0, 2,
     {"encoding/json.(*decodeState).literalStore@decode.go;reflect.Value.SetString@value.go",
      "encoding/json.(*decodeState).literalStore@decode.go;strconv.ParseFloat@atof.go;strconv.atof64@atof.go;~strconv.readFloat@atof.go",
      "encoding/json.(*decodeState).rescanLiteral@decode.go",
      "encoding/json.(*decodeState).scanWhile@decode.go;encoding/json.stateInString@scanner.go",
      "encoding/json.cachedTypeFields@encode.go;sync.(*Map).Load@map.go",
      "encoding/json.(*decodeState).literalStore@decode.go;@alloc", NULL}, 1},
    {0, TR_HTTP, 'H', "github.com/acme/{svc}/internal/api.decodeJSON@respond.go",
     "encoding/json.(*Decoder).Decode@stream.go;encoding/json.(*Decoder).readValue@stream.go", NULL, 0, 0,
     {"encoding/json.stateInString@scanner.go", "encoding/json.(*scanner).eof@scanner.go",
      "encoding/json.(*Decoder).refill@stream.go;net/http.(*body).Read@transfer.go;net/http.(*body).readLocked@transfer.go;"
      "bufio.(*Reader).Read@bufio.go;net/http.(*connReader).Read@server.go;" GEN_SYSCALL_READ, NULL}, 1},
    /* HTTP response write, after the handler */
    {0, TR_HTTP, 'T', "net/http.(*response).finishRequest@server.go",
     "bufio.(*Writer).Flush@bufio.go;net/http.checkConnErrorWriter.Write@server.go", NULL, 0, 0,
     {GEN_SYSCALL_WRITE, NULL}, 0.5},
    /* gRPC response and request encoding */
    {0, TR_GRPC, 'T', "google.golang.org/grpc.(*Server).sendResponse@server.go",
     "google.golang.org/grpc.encode@rpc_util.go;google.golang.org/grpc/encoding/proto.codec.Marshal@proto.go;"
     "google.golang.org/protobuf/proto.MarshalOptions.marshal@encode.go;"
     "google.golang.org/protobuf/internal/impl.(*MessageInfo).marshal@encode.go;"
     "google.golang.org/protobuf/internal/impl.(*MessageInfo).marshalAppendPointer@encode.go",
     "google.golang.org/protobuf/internal/impl.appendMessageSliceInfo@codec_field.go;"
     "google.golang.org/protobuf/internal/impl.(*MessageInfo).marshalAppendPointer@encode.go", 0, 3,
     {"google.golang.org/protobuf/internal/impl.appendStringNoZeroValidateUTF8@codec_gen.go;~unicode/utf8.ValidString@utf8.go",
      "google.golang.org/protobuf/internal/impl.(*MessageInfo).sizePointer@encode.go;"
      "google.golang.org/protobuf/internal/impl.(*MessageInfo).sizePointerSlow@encode.go",
      "google.golang.org/protobuf/internal/impl.appendInt64NoZero@codec_gen.go;~google.golang.org/protobuf/encoding/protowire.AppendVarint@wire.go",
      "@alloc", NULL}, 0.5},
    {0, TR_GRPC, 'U', "google.golang.org/grpc.(*Server).processUnaryRPC.func2@server.go",
     "google.golang.org/grpc/encoding/proto.codec.Unmarshal@proto.go;"
     "google.golang.org/protobuf/proto.UnmarshalOptions.unmarshal@decode.go;"
     "google.golang.org/protobuf/internal/impl.(*MessageInfo).unmarshal@decode.go;"
     "google.golang.org/protobuf/internal/impl.(*MessageInfo).unmarshalPointer@decode.go", NULL, 0, 0,
     {"google.golang.org/protobuf/internal/impl.consumeStringValidateUTF8@codec_gen.go;@alloc",
      "google.golang.org/protobuf/internal/impl.consumeMessageSliceInfo@codec_field.go;"
      "google.golang.org/protobuf/internal/impl.(*MessageInfo).unmarshalPointer@decode.go;"
      "google.golang.org/protobuf/encoding/protowire.ConsumeTag@wire.go", NULL}, 0.5},
    /* service-local work */
    {0, TR_HTTP | TR_GRPC | TR_EVENT, 'S', "",
     "github.com/acme/{svc}/internal/{pkg}.(*Service).build{Noun}Response@{pkg}.go", NULL, 0, 0,
     {"@alloc", "github.com/acme/{svc}/internal/{pkg}.(*{Noun}).Clone@model.go;@alloc",
      "github.com/acme/{svc}/internal/{pkg}.indexBy{Noun}ID@{pkg}.go;runtime.mapassign_faststr@map_faststr.go",
      "github.com/acme/{svc}/internal/{pkg}.indexBy{Noun}ID@{pkg}.go;runtime.mapassign_faststr@map_faststr.go;"
      "runtime.hashGrow@map.go;runtime.makeBucketArray@map.go;runtime.newarray@malloc.go;runtime.mallocgc@malloc.go",
      "fmt.Sprintf@print.go;fmt.(*pp).doPrintf@print.go;fmt.(*pp).printArg@print.go;fmt.(*fmt).fmtInteger@format.go",
      "github.com/acme/{svc}/internal/{pkg}.(*{Noun}).Key@model.go;strings.(*Builder).WriteString@builder.go;runtime.growslice@slice.go;runtime.mallocgc@malloc.go",
      "github.com/acme/{svc}/internal/{pkg}.lookup{Noun}@{pkg}.go;runtime.mapaccess2_faststr@map_faststr.go;runtime.memequal@memequal_amd64.s",
      NULL}, 1},
    {0, TR_HTTP | TR_GRPC | TR_EVENT, 'S', "",
     "github.com/acme/{svc}/internal/{pkg}.validate{Noun}@validate.go", NULL, 0, 0,
     {"strings.ToLower@strings.go;@alloc", "unicode/utf8.RuneCountInString@utf8.go",
      "strings.TrimSpace@strings.go", "strconv.ParseInt@atoi.go;strconv.ParseUint@atoi.go",
      "net/mail.ParseAddress@message.go;net/mail.(*addrParser).parseSingleAddress@message.go;"
      "net/mail.(*addrParser).parseAddress@message.go;net/mail.(*addrParser).consumeAddrSpec@message.go", NULL}, 1},
    /* logging */
    {0, TR_HTTP | TR_GRPC | TR_EVENT, 'H', "github.com/acme/{svc}/internal/{pkg}.(*Service).logOutcome@log.go",
     "go.uber.org/zap.(*Logger).Info@logger.go;go.uber.org/zap/zapcore.(*CheckedEntry).Write@entry.go;"
     "go.uber.org/zap/zapcore.(*ioCore).Write@core.go", NULL, 0, 0,
     {"go.uber.org/zap/zapcore.(*jsonEncoder).EncodeEntry@json_encoder.go;go.uber.org/zap/zapcore.Field.AddTo@field.go;"
      "go.uber.org/zap/zapcore.(*jsonEncoder).AddString@json_encoder.go;go.uber.org/zap/zapcore.(*jsonEncoder).safeAddString@json_encoder.go",
      "go.uber.org/zap/zapcore.(*jsonEncoder).EncodeEntry@json_encoder.go;go.uber.org/zap/zapcore.ISO8601TimeEncoder@encoder.go;"
      "time.Time.AppendFormat@format.go;time.Time.appendFormat@format.go",
      "go.uber.org/zap/zapcore.(*jsonEncoder).EncodeEntry@json_encoder.go;go.uber.org/zap/zapcore.(*jsonEncoder).clone@json_encoder.go;@alloc",
      "go.uber.org/zap/zapcore.(*lockedWriteSyncer).Write@write_syncer.go;os.(*File).Write@file.go;" GEN_SYSCALL_WRITE_FD,
      NULL}, 1},
    /* tracing: span end reads the clock through the vDSO */
    {0, TR_HTTP | TR_GRPC | TR_EVENT, 'H', "go.opentelemetry.io/otel/sdk/trace.(*recordingSpan).End@span.go",
     "time.Now@time.go;time.now@timestub.go;runtime.walltime@sys_linux_amd64.s", NULL, 0, 0,
     {"!v__vdso_clock_gettime", NULL}, 0.1},
    /* SQL */
    {F_SQL, TR_HTTP | TR_GRPC | TR_EVENT, 'S',
     "github.com/acme/{svc}/internal/store.(*{Noun}Store).{SVerb}{Noun}s@{noun}_store.go",
     "database/sql.(*DB).QueryContext@sql.go;database/sql.(*DB).retry@sql.go;database/sql.(*DB).QueryContext.func1@sql.go;"
     "database/sql.(*DB).query@sql.go;database/sql.(*DB).queryDC@sql.go;database/sql.withLock@sql.go;"
     "database/sql.(*DB).queryDC.func1@sql.go;database/sql.ctxDriverQuery@ctxutil.go;"
     "github.com/jackc/pgx/v5/stdlib.(*Conn).QueryContext@sql.go;github.com/jackc/pgx/v5.(*Conn).Query@conn.go", NULL, 0, 0,
     {"github.com/jackc/pgx/v5/pgconn.(*ResultReader).readUntilRowDescription@pgconn.go;"
      "github.com/jackc/pgx/v5/pgconn.(*ResultReader).receiveMessage@pgconn.go;"
      "github.com/jackc/pgx/v5/pgconn.(*PgConn).receiveMessage@pgconn.go;github.com/jackc/pgx/v5/pgconn.(*PgConn).peekMessage@pgconn.go;"
      "github.com/jackc/pgx/v5/pgproto3.(*Frontend).Receive@frontend.go;github.com/jackc/pgx/v5/pgproto3.(*chunkReader).Next@chunkreader.go;"
      "io.ReadAtLeast@io.go;github.com/jackc/pgx/v5/pgconn/internal/bgreader.(*BGReader).Read@bgreader.go;" GEN_SYSCALL_READ,
      "github.com/jackc/pgx/v5/pgconn.(*PgConn).ExecParams@pgconn.go;github.com/jackc/pgx/v5/pgconn.(*PgConn).execExtendedSuffix@pgconn.go;"
      "github.com/jackc/pgx/v5/pgconn.(*PgConn).flushWithPotentialWriteReadDeadlock@pgconn.go;" GEN_SYSCALL_WRITE,
      "github.com/jackc/pgx/v5.(*ExtendedQueryBuilder).Build@extended_query_builder.go;"
      "github.com/jackc/pgx/v5.(*ExtendedQueryBuilder).appendParam@extended_query_builder.go;"
      "github.com/jackc/pgx/v5.(*ExtendedQueryBuilder).encodeExtendedParamValue@extended_query_builder.go;"
      "github.com/jackc/pgx/v5/pgtype.(*Map).Encode@pgtype.go;@alloc",
      "github.com/jackc/pgx/v5/internal/stmtcache.(*LRUCache).Get@lru_cache.go;~container/list.(*List).MoveToFront@list.go",
      NULL}, 1},
    {F_SQL, TR_HTTP | TR_GRPC | TR_EVENT, 'S',
     "github.com/acme/{svc}/internal/store.(*{Noun}Store).{SVerb}{Noun}s@{noun}_store.go",
     "database/sql.(*Rows).Next@sql.go;database/sql.withLock@sql.go;database/sql.(*Rows).Next.func1@sql.go;"
     "database/sql.(*Rows).nextLocked@sql.go;github.com/jackc/pgx/v5/stdlib.(*Rows).Next@sql.go", NULL, 0, 0,
     {"github.com/jackc/pgx/v5.(*baseRows).Next@rows.go;github.com/jackc/pgx/v5/pgconn.(*ResultReader).NextRow@pgconn.go;"
      "github.com/jackc/pgx/v5/pgconn.(*ResultReader).receiveMessage@pgconn.go;"
      "github.com/jackc/pgx/v5/pgconn.(*PgConn).receiveMessage@pgconn.go;github.com/jackc/pgx/v5/pgconn.(*PgConn).peekMessage@pgconn.go;"
      "github.com/jackc/pgx/v5/pgproto3.(*Frontend).Receive@frontend.go;github.com/jackc/pgx/v5/pgproto3.(*DataRow).Decode@data_row.go",
      "github.com/jackc/pgx/v5/pgtype.(*TimestamptzCodec).DecodeValue@timestamptz.go;"
      "github.com/jackc/pgx/v5/pgtype.scanPlanBinaryTimestamptzToTimestamptzScanner.Scan@timestamptz.go",
      "github.com/jackc/pgx/v5/pgtype.(*TextCodec).DecodeValue@text.go;@alloc",
      "github.com/jackc/pgx/v5/pgtype.(*NumericCodec).DecodeValue@numeric.go;math/big.(*Int).SetString@intconv.go;"
      "math/big.(*Int).scan@intconv.go;math/big.nat.scan@natconv.go", NULL}, 1},
    {F_SQL, TR_HTTP | TR_GRPC | TR_EVENT, 'S',
     "github.com/acme/{svc}/internal/store.scan{Noun}@{noun}_store.go",
     "database/sql.(*Rows).Scan@sql.go;database/sql.convertAssignRows@convert.go", NULL, 0, 0,
     {"strconv.ParseInt@atoi.go", "reflect.Value.Set@value.go;runtime.typedmemmove@mbarrier.go",
      "database/sql.asString@convert.go;strconv.FormatInt@itoa.go;@alloc", "@alloc", NULL}, 1},
    /* Redis */
    {F_REDIS, TR_HTTP | TR_GRPC | TR_EVENT, 'S',
     "github.com/acme/{svc}/internal/cache.(*Cache).Get{Noun}@cache.go",
     "github.com/redis/go-redis/v9.cmdable.Get@string_commands.go;github.com/redis/go-redis/v9.(*Client).Process@redis.go;"
     "github.com/redis/go-redis/v9.(*baseClient).process@redis.go;github.com/redis/go-redis/v9.(*baseClient)._process@redis.go;"
     "github.com/redis/go-redis/v9.(*baseClient).withConn@redis.go", NULL, 0, 0,
     {"github.com/redis/go-redis/v9.(*baseClient)._process.func1@redis.go;github.com/redis/go-redis/v9/internal/pool.(*Conn).WithReader@conn.go;"
      "github.com/redis/go-redis/v9/internal/proto.(*Reader).ReadReply@reader.go;github.com/redis/go-redis/v9/internal/proto.(*Reader).readLine@reader.go;"
      "bufio.(*Reader).ReadSlice@bufio.go;bufio.(*Reader).fill@bufio.go;" GEN_SYSCALL_READ,
      "github.com/redis/go-redis/v9.(*baseClient).getConn@redis.go;github.com/redis/go-redis/v9.(*baseClient)._getConn@redis.go;"
      "github.com/redis/go-redis/v9/internal/pool.(*ConnPool).Get@pool.go;sync.(*Mutex).Lock@mutex.go;sync.(*Mutex).lockSlow@mutex.go;"
      "runtime.procyield@asm_amd64.s",
      "github.com/redis/go-redis/v9.(*baseClient)._process.func1@redis.go;github.com/redis/go-redis/v9/internal/pool.(*Conn).WithWriter@conn.go;"
      "github.com/redis/go-redis/v9/internal/proto.(*Writer).WriteArgs@writer.go;github.com/redis/go-redis/v9/internal/proto.(*Writer).WriteArg@writer.go;@alloc",
      "github.com/redis/go-redis/v9.(*baseClient)._process.func1@redis.go;github.com/redis/go-redis/v9/internal/pool.(*Conn).WithWriter@conn.go;"
      "bufio.(*Writer).Flush@bufio.go;" GEN_SYSCALL_WRITE, NULL}, 1},
    /* outbound gRPC to a peer */
    {F_PEERS, TR_HTTP | TR_GRPC | TR_EVENT, 'S',
     "github.com/acme/{svc}/internal/clients.(*{Peer}Client).{PeerEp}@{peer}.go",
     "github.com/acme/{peer}/api/{peerid}pb.(*{peerid}ServiceClient).{PeerEp}@{peerid}_grpc.pb.go;"
     "google.golang.org/grpc.(*ClientConn).Invoke@call.go;"
     "go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc.UnaryClientInterceptor.func1@interceptor.go;"
     "google.golang.org/grpc.invoke@call.go", NULL, 0, 0,
     {"google.golang.org/grpc.newClientStream@stream.go;google.golang.org/grpc.newClientStreamWithParams@stream.go;"
      "google.golang.org/grpc.(*clientStream).withRetry@stream.go;google.golang.org/grpc.(*csAttempt).newStream@stream.go;"
      "google.golang.org/grpc/internal/transport.(*http2Client).NewStream@http2_client.go;"
      "google.golang.org/grpc/internal/transport.(*http2Client).createHeaderFields@http2_client.go;@alloc",
      "google.golang.org/grpc.(*clientStream).SendMsg@stream.go;google.golang.org/grpc.prepareMsg@stream.go;"
      "google.golang.org/grpc.encode@rpc_util.go;google.golang.org/grpc/encoding/proto.codec.Marshal@proto.go;"
      "google.golang.org/protobuf/proto.MarshalOptions.marshal@encode.go;google.golang.org/protobuf/internal/impl.(*MessageInfo).marshal@encode.go;"
      "google.golang.org/protobuf/internal/impl.(*MessageInfo).marshalAppendPointer@encode.go",
      "google.golang.org/grpc.(*clientStream).RecvMsg@stream.go;google.golang.org/grpc.(*clientStream).withRetry@stream.go;"
      "google.golang.org/grpc.(*clientStream).RecvMsg.func1@stream.go;google.golang.org/grpc.(*csAttempt).recvMsg@stream.go;"
      "google.golang.org/grpc.recv@rpc_util.go;google.golang.org/grpc.recvAndDecompress@rpc_util.go;"
      "google.golang.org/grpc.(*parser).recvMsg@rpc_util.go;google.golang.org/grpc/internal/transport.(*Stream).Read@transport.go;"
      "google.golang.org/grpc/internal/transport.(*transportReader).Read@transport.go;"
      "google.golang.org/grpc/internal/transport.(*recvBufferReader).Read@transport.go;runtime.selectgo@select.go",
      "google.golang.org/grpc.(*clientStream).RecvMsg@stream.go;google.golang.org/grpc.(*clientStream).withRetry@stream.go;"
      "google.golang.org/grpc.(*clientStream).RecvMsg.func1@stream.go;google.golang.org/grpc.(*csAttempt).recvMsg@stream.go;"
      "google.golang.org/grpc.recv@rpc_util.go;google.golang.org/grpc/encoding/proto.codec.Unmarshal@proto.go;"
      "google.golang.org/protobuf/proto.UnmarshalOptions.unmarshal@decode.go;google.golang.org/protobuf/internal/impl.(*MessageInfo).unmarshal@decode.go;"
      "google.golang.org/protobuf/internal/impl.(*MessageInfo).unmarshalPointer@decode.go;@alloc", NULL}, 1},
    /* TLS to an external partner through OpenSSL (cgo) */
    {F_SSL, TR_HTTP | TR_GRPC | TR_EVENT, 'S',
     "github.com/acme/{svc}/internal/clients.(*{Ext}Client).Send@{ext}.go",
     "github.com/acme/{svc}/internal/sslconn.(*Conn).Write@conn.go;github.com/acme/{svc}/internal/sslconn._Cfunc_SSL_write@_cgo_gotypes.go;"
     "runtime.cgocall@cgocall.go;runtime.asmcgocall@asm_amd64.s;!sSSL_write;!sssl_write_internal;!sssl3_write_bytes", NULL, 0, 0,
     {"!sdo_ssl3_write;!stls1_enc;!kEVP_CipherUpdate;!kaes_gcm_cipher;!kaesni_gcm_encrypt",
      "!sssl3_write_pending;!kBIO_write;!kbio_write_intern;!ksock_write;!c__GI___libc_write", NULL}, 1},
    {F_SSL, TR_HTTP | TR_GRPC | TR_EVENT, 'S',
     "github.com/acme/{svc}/internal/clients.(*{Ext}Client).Receive@{ext}.go",
     "github.com/acme/{svc}/internal/sslconn.(*Conn).Read@conn.go;github.com/acme/{svc}/internal/sslconn._Cfunc_SSL_read@_cgo_gotypes.go;"
     "runtime.cgocall@cgocall.go;runtime.asmcgocall@asm_amd64.s;!sSSL_read;!sssl_read_internal;!sssl3_read_bytes;!sssl3_get_record", NULL, 0, 0,
     {"!sssl3_read_n;!kBIO_read;!kbio_read_intern;!ksock_read;!c__GI___libc_read",
      "!stls1_enc;!kEVP_CipherUpdate;!kaes_gcm_cipher;!kaesni_gcm_decrypt",
      "!sssl3_read_n;!c__memmove_avx_unaligned_erms", NULL}, 1},
    {F_SSL, TR_HTTP | TR_GRPC | TR_EVENT, 'S',
     "github.com/acme/{svc}/internal/clients.(*{Ext}Client).dial@{ext}.go",
     "github.com/acme/{svc}/internal/sslconn.(*Conn).Handshake@conn.go;github.com/acme/{svc}/internal/sslconn._Cfunc_SSL_do_handshake@_cgo_gotypes.go;"
     "runtime.cgocall@cgocall.go;runtime.asmcgocall@asm_amd64.s;!sSSL_do_handshake;!sstate_machine;!sread_state_machine", NULL, 0, 0,
     {"!stls_process_server_certificate;!sssl_verify_cert_chain;!kX509_verify_cert;!kverify_chain;!kinternal_verify;"
      "!kX509_verify;!kASN1_item_verify_ex;!kEVP_DigestVerify;!kRSA_verify;!kBN_mod_exp_mont",
      "!stls_process_key_exchange;!kEVP_PKEY_derive;!kecx_derive;!kossl_x25519;!kx25519_scalar_mulx", NULL}, 1},
    /* TLS termination through the FIPS (OpenSSL-backed) Go toolchain */
    {F_FIPS, TR_HTTP | TR_GRPC, 'T', "crypto/tls.(*Conn).HandshakeContext@conn.go",
     "crypto/tls.(*Conn).handshakeContext@conn.go;crypto/tls.(*Conn).serverHandshake@handshake_server.go;"
     "crypto/tls.(*serverHandshakeStateTLS13).handshake@handshake_server_tls13.go", NULL, 0, 0,
     {"crypto/tls.(*serverHandshakeStateTLS13).sendServerCertificate@handshake_server_tls13.go;crypto/ecdsa.SignASN1@ecdsa.go;"
      "vendor/github.com/golang-fips/openssl/v2.SignMarshalECDSA@ecdsa.go;vendor/github.com/golang-fips/openssl/v2.evpSign@evp.go;"
      "vendor/github.com/golang-fips/openssl/v2._Cfunc_go_openssl_EVP_PKEY_sign@_cgo_gotypes.go;runtime.cgocall@cgocall.go;"
      "runtime.asmcgocall@asm_amd64.s;!kEVP_PKEY_sign;!kecdsa_sign;!kECDSA_sign_ex;!kECDSA_do_sign_ex;!kossl_ecdsa_simple_sign_sig;!kecp_nistz256_ord_mul_mont",
      "crypto/tls.(*serverHandshakeStateTLS13).processClientHello@handshake_server_tls13.go;crypto/ecdh.(*PrivateKey).ECDH@ecdh.go;"
      "vendor/github.com/golang-fips/openssl/v2.ECDH@ecdh.go;vendor/github.com/golang-fips/openssl/v2._Cfunc_go_openssl_EVP_PKEY_derive@_cgo_gotypes.go;"
      "runtime.cgocall@cgocall.go;runtime.asmcgocall@asm_amd64.s;!kEVP_PKEY_derive;!kecx_derive;!kossl_x25519;!kx25519_scalar_mulx", NULL}, 1},
    {F_FIPS, TR_HTTP | TR_GRPC, 'T', "bufio.(*Writer).Flush@bufio.go",
     "crypto/tls.(*Conn).Write@conn.go;crypto/tls.(*Conn).writeRecordLocked@conn.go;crypto/tls.(*halfConn).encrypt@conn.go;"
     "vendor/github.com/golang-fips/openssl/v2.(*cipherGCM).Seal@aes.go;"
     "vendor/github.com/golang-fips/openssl/v2._Cfunc_go_openssl_EVP_CipherUpdate_wrapper@_cgo_gotypes.go;"
     "runtime.cgocall@cgocall.go;runtime.asmcgocall@asm_amd64.s;!kEVP_CipherUpdate", NULL, 0, 0,
     {"!kaes_gcm_cipher;!kaesni_gcm_encrypt", "!kaes_gcm_cipher;!kgcm_ghash_avx", NULL}, 1},
    /* zlib through cgo */
    {F_ZLIB, TR_HTTP | TR_GRPC | TR_EVENT, 'S', "github.com/acme/{svc}/internal/archive.(*Writer).Write@writer.go",
     "github.com/acme/{svc}/internal/archive._Cfunc_deflate@_cgo_gotypes.go;runtime.cgocall@cgocall.go;runtime.asmcgocall@asm_amd64.s;!zdeflate",
     NULL, 0, 0,
     {"!zdeflate_slow;!zlongest_match", "!zdeflate_slow;!z_tr_flush_block;!zcompress_block",
      "!zdeflate_slow;!zfill_window;!c__memmove_avx_unaligned_erms", "!zdeflate_stored;!zread_buf;!zcrc32_z", NULL}, 1},
    /* regular expressions */
    {F_REGEX, TR_HTTP | TR_GRPC | TR_EVENT, 'S', "github.com/acme/{svc}/internal/validate.(*Validator).{Noun}@validate.go",
     "regexp.(*Regexp).MatchString@regexp.go;regexp.(*Regexp).doMatch@exec.go;regexp.(*Regexp).doExecute@exec.go", NULL, 0, 0,
     {"regexp.(*Regexp).backtrack@backtrack.go;regexp.(*Regexp).tryBacktrack@backtrack.go",
      "regexp.(*Regexp).backtrack@backtrack.go;regexp.(*Regexp).tryBacktrack@backtrack.go;~regexp.(*bitState).shouldVisit@backtrack.go",
      "regexp.(*machine).match@exec.go;regexp.(*machine).step@exec.go",
      "regexp.(*machine).match@exec.go;regexp.(*machine).add@exec.go",
      "regexp.(*Regexp).get@regexp.go;sync.(*Pool).Get@pool.go", NULL}, 1},
    {F_REGEX, TR_HTTP | TR_GRPC, 'S', "github.com/acme/{svc}/internal/validate.compile{Noun}Rule@rules.go",
     "regexp.MustCompile@regexp.go;regexp.Compile@regexp.go;regexp.compile@regexp.go", NULL, 0, 0,
     {"regexp/syntax.Parse@parse.go;regexp/syntax.parse@parse.go;regexp/syntax.(*parser).push@parse.go;@alloc",
      "regexp/syntax.Compile@compile.go;regexp/syntax.(*compiler).compile@compile.go;regexp/syntax.(*compiler).compile@compile.go;"
      "regexp/syntax.(*compiler).inst@compile.go;@alloc",
      "regexp.compileOnePass@onepass.go;regexp.makeOnePass@onepass.go;regexp.makeOnePass.func1@onepass.go", NULL}, 1},
    /* templates */
    {F_TMPL, TR_HTTP | TR_EVENT, 'S', "github.com/acme/{svc}/internal/render.(*Renderer).{Noun}@render.go",
     "html/template.(*Template).Execute@template.go;text/template.(*Template).Execute@exec.go;"
     "text/template.(*Template).execute@exec.go;text/template.(*state).walk@exec.go;text/template.(*state).walk@exec.go",
     "text/template.(*state).walkRange@exec.go;text/template.(*state).walkRange.func1@exec.go;text/template.(*state).walk@exec.go", 0, 4,
     {"text/template.(*state).evalPipeline@exec.go;text/template.(*state).evalCommand@exec.go;"
      "text/template.(*state).evalFieldNode@exec.go;text/template.(*state).evalFieldChain@exec.go;"
      "text/template.(*state).evalField@exec.go;reflect.Value.FieldByIndex@value.go",
      "text/template.(*state).printValue@exec.go;fmt.Fprint@print.go;fmt.(*pp).doPrint@print.go;fmt.(*pp).printArg@print.go",
      "text/template.(*state).evalPipeline@exec.go;text/template.(*state).evalCommand@exec.go;"
      "text/template.(*state).evalFunction@exec.go;text/template.(*state).evalCall@exec.go;reflect.Value.Call@value.go;"
      "reflect.Value.call@value.go;html/template.htmlEscaper@content.go;html/template.htmlReplacer@html.go;"
      "strings.(*Builder).WriteString@builder.go;@alloc",
      "text/template.(*state).evalPipeline@exec.go;@alloc", NULL}, 1},
    /* ranking */
    {F_RANK, TR_HTTP | TR_GRPC, 'S', "github.com/acme/{svc}/internal/{pkg}.(*Ranker).Rank{Noun}s@rank.go",
     "sort.Sort@sort.go;sort.pdqsort@zsortinterface.go", "sort.pdqsort@zsortinterface.go", 0, 5,
     {"sort.insertionSort@zsortinterface.go;github.com/acme/{svc}/internal/{pkg}.byScore.Less@rank.go",
      "sort.partition@zsortinterface.go;github.com/acme/{svc}/internal/{pkg}.byScore.Less@rank.go",
      "sort.partition@zsortinterface.go;github.com/acme/{svc}/internal/{pkg}.byScore.Swap@rank.go",
      "sort.choosePivot@zsortinterface.go;sort.median@zsortinterface.go;github.com/acme/{svc}/internal/{pkg}.byScore.Less@rank.go", NULL}, 1},
    {F_RANK, TR_HTTP | TR_GRPC, 'S', "github.com/acme/{svc}/internal/{pkg}.(*Scorer).Score{Noun}s@score.go",
     "github.com/acme/{svc}/internal/{pkg}.(*Scorer).score@score.go", NULL, 0, 0,
     {"github.com/acme/{svc}/internal/{pkg}.dot@vector.go", "github.com/acme/{svc}/internal/{pkg}.cosine@vector.go;~math.Sqrt@sqrt.go",
      "math.Exp@exp.go;math.archExp@exp_amd64.s",
      "github.com/acme/{svc}/internal/{pkg}.(*Scorer).features@features.go;runtime.mapaccess2_faststr@map_faststr.go;runtime.strhash@alg.go",
      "github.com/acme/{svc}/internal/{pkg}.(*Scorer).features@features.go;@alloc", NULL}, 1},
    /* hashing */
    {F_HASH, TR_HTTP | TR_GRPC | TR_EVENT, 'S', "github.com/acme/{svc}/internal/{pkg}.fingerprint{Noun}@fingerprint.go",
     "crypto/sha256.(*digest).Write@sha256.go", NULL, 0, 0,
     {"crypto/sha256.block@sha256block_amd64.s", "encoding/hex.EncodeToString@hex.go;@alloc", NULL}, 1},
    /* JWT and passwords */
    {F_JWT, TR_HTTP | TR_GRPC, 'S', "github.com/acme/{svc}/internal/tokens.(*Verifier).Verify@verify.go",
     "github.com/golang-jwt/jwt/v5.(*Parser).ParseWithClaims@parser.go", NULL, 0, 0,
     {"github.com/golang-jwt/jwt/v5.(*SigningMethodRSA).Verify@rsa.go;crypto/rsa.VerifyPKCS1v15@pkcs1v15.go;"
      "crypto/rsa.encrypt@rsa.go;crypto/internal/bigmod.(*Nat).ExpShortVarTime@nat.go;"
      "crypto/internal/bigmod.(*Nat).montgomeryMul@nat.go;crypto/internal/bigmod.addMulVVW2048@nat_amd64.s",
      "github.com/golang-jwt/jwt/v5.(*Parser).ParseUnverified@parser.go;encoding/json.Unmarshal@decode.go;"
      "encoding/json.(*decodeState).unmarshal@decode.go;encoding/json.(*decodeState).object@decode.go;@alloc",
      "github.com/golang-jwt/jwt/v5.(*Parser).DecodeSegment@parser.go;encoding/base64.(*Encoding).DecodeString@base64.go;"
      "encoding/base64.(*Encoding).Decode@base64.go", NULL}, 1},
    {F_BCRYPT, TR_HTTP | TR_GRPC, 'S', "github.com/acme/{svc}/internal/credentials.(*Store).CheckPassword@password.go",
     "golang.org/x/crypto/bcrypt.CompareHashAndPassword@bcrypt.go;golang.org/x/crypto/bcrypt.bcrypt@bcrypt.go;"
     "golang.org/x/crypto/bcrypt.expensiveBlowfishSetup@bcrypt.go", NULL, 0, 0,
     {"golang.org/x/crypto/blowfish.ExpandKey@cipher.go;golang.org/x/crypto/blowfish.encryptBlock@block.go",
      "golang.org/x/crypto/blowfish.expandKeyWithSalt@block.go;golang.org/x/crypto/blowfish.encryptBlock@block.go",
      "golang.org/x/crypto/blowfish.ExpandKey@cipher.go;~golang.org/x/crypto/blowfish.getNextWord@block.go", NULL}, 1},
};

/* Work outside requests: each chain is complete (root first); its leaves
 * are alternatives. share = fraction of the service's CPU. */
typedef struct gen_background {
    unsigned need;
    double share;
    const char *body;
    const char *leaves[8];
} gen_background;

static const gen_background GEN_BACKGROUND[] = {
    {0, 0.10,
     "runtime.goexit@asm_amd64.s;runtime.gcBgMarkWorker@mgc.go;runtime.systemstack@asm_amd64.s;"
     "runtime.gcBgMarkWorker.func2@mgc.go;runtime.gcDrain@mgcmark.go",
     {"runtime.scanobject@mgcmark.go", "runtime.scanobject@mgcmark.go;runtime.greyobject@mgcmark.go",
      "runtime.scanobject@mgcmark.go;runtime.findObject@mbitmap.go",
      "runtime.scanobject@mgcmark.go;runtime.greyobject@mgcmark.go;~runtime.(*gcWork).putFast@mgcwork.go",
      "runtime.markroot@mgcmark.go;runtime.markroot.func1@mgcmark.go;runtime.scanstack@mgcmark.go;"
      "runtime.scanframeworker@mgcmark.go;runtime.scanblock@mgcmark.go",
      "runtime.markroot@mgcmark.go;runtime.markrootBlock@mgcmark.go;runtime.scanblock@mgcmark.go", NULL}},
    {0, 0.04,
     "runtime.mcall@asm_amd64.s;runtime.park_m@proc.go;runtime.schedule@proc.go;runtime.findRunnable@proc.go",
     {"runtime.netpoll@netpoll_epoll.go;runtime.epollwait@sys_linux_amd64.s",
      "runtime.stealWork@proc.go;runtime.runqgrab@proc.go",
      "runtime.stealWork@proc.go;runtime.checkTimers@proc.go;runtime.runtimer@time.go",
      "runtime.stopm@proc.go;runtime.mPark@proc.go;runtime.notesleep@lock_futex.go;runtime.futexsleep@os_linux.go;"
      "runtime.futex@sys_linux_amd64.s",
      "runtime.nanotime@time_nofake.go;runtime.nanotime1@sys_linux_amd64.s;!v__vdso_clock_gettime", NULL}},
    {0, 0.01,
     "runtime.mstart@asm_amd64.s;runtime.mstart0@proc.go;runtime.mstart1@proc.go;runtime.sysmon@proc.go",
     {"runtime.usleep@sys_linux_amd64.s",
      "runtime.retake@proc.go;runtime.preemptone@proc.go;runtime.preemptM@signal_unix.go;runtime.signalM@os_linux.go;"
      "runtime.tgkill@sys_linux_amd64.s",
      "runtime.nanotime1@sys_linux_amd64.s;!v__vdso_clock_gettime", NULL}},
    {0, 0.01,
     "runtime.goexit@asm_amd64.s;runtime.bgsweep@mgcsweep.go;runtime.sweepone@mgcsweep.go;"
     "runtime.(*sweepLocked).sweep@mgcsweep.go",
     {"runtime.(*mspan).countAlloc@mbitmap.go", "runtime.(*mspan).refillAllocCache@mbitmap.go", NULL}},
    {0, 0.005,
     "runtime.goexit@asm_amd64.s;runtime.bgscavenge@mgcscavenge.go;runtime.(*scavengerState).run@mgcscavenge.go;"
     "runtime.bgscavenge.func2@mgcscavenge.go;runtime.(*pageAlloc).scavenge@mgcscavenge.go;runtime.systemstack@asm_amd64.s;"
     "runtime.(*pageAlloc).scavenge.func1@mgcscavenge.go;runtime.(*pageAlloc).scavengeOne@mgcscavenge.go",
     {"runtime.sysUnused@mem.go;runtime.sysUnusedOS@mem_linux.go;runtime.madvise@sys_linux_amd64.s",
      "runtime.(*scavengeIndex).find@mgcscavenge.go", NULL}},
    {0, 0.008,
     "runtime.sigtramp@sys_linux_amd64.s;runtime.sigtrampgo@signal_unix.go;runtime.sighandler@signal_unix.go;"
     "runtime.sigprof@proc.go;runtime.tracebackPCs@traceback.go;runtime.(*unwinder).next@traceback.go",
     {"runtime.findfunc@symtab.go", "runtime.pcvalue@symtab.go;runtime.step@symtab.go",
      "runtime.funcspdelta@symtab.go;runtime.pcvalue@symtab.go", NULL}},
    {0, 0.012,
     "runtime.goexit@asm_amd64.s;net/http.(*conn).serve@server.go;net/http.serverHandler.ServeHTTP@server.go;"
     "net/http.(*ServeMux).ServeHTTP@server.go;"
     "github.com/prometheus/client_golang/prometheus/promhttp.InstrumentHandlerCounter.func1@instrument_server.go;"
     "net/http.HandlerFunc.ServeHTTP@server.go;"
     "github.com/prometheus/client_golang/prometheus/promhttp.HandlerForTransactional.func1@http.go",
     {"github.com/prometheus/client_golang/prometheus.(*Registry).Gather@registry.go;"
      "github.com/prometheus/client_golang/prometheus.processMetric@registry.go;@alloc",
      "github.com/prometheus/common/expfmt.MetricFamilyToText@text_create.go;github.com/prometheus/common/expfmt.writeSample@text_create.go;"
      "github.com/prometheus/common/expfmt.writeFloat@text_create.go;strconv.AppendFloat@ftoa.go;strconv.genericFtoa@ftoa.go",
      "compress/gzip.(*Writer).Write@gzip.go;compress/flate.(*compressor).write@deflate.go;"
      "compress/flate.(*compressor).deflate@deflate.go;compress/flate.(*compressor).findMatch@deflate.go;"
      "compress/flate.matchLen@deflate.go",
      "compress/gzip.(*Writer).Write@gzip.go;compress/flate.(*compressor).write@deflate.go;"
      "compress/flate.(*compressor).deflate@deflate.go;compress/flate.(*compressor).writeBlock@deflate.go;"
      "compress/flate.(*huffmanBitWriter).writeBlock@huffman_bit_writer.go;"
      "compress/flate.(*huffmanBitWriter).writeTokens@huffman_bit_writer.go", NULL}},
    {F_KAFKA, 0.015,
     "runtime.goexit@asm_amd64.s;github.com/acme/{svc}/internal/events.(*Consumer).Run.func1@consumer.go;"
     "github.com/confluentinc/confluent-kafka-go/v2/kafka.(*Consumer).Poll@consumer.go;"
     "github.com/confluentinc/confluent-kafka-go/v2/kafka.(*handle).eventPoll@event.go;"
     "github.com/confluentinc/confluent-kafka-go/v2/kafka._Cfunc__rk_queue_poll@_cgo_gotypes.go;"
     "runtime.cgocall@cgocall.go;runtime.asmcgocall@asm_amd64.s;!r_rk_queue_poll;!rrd_kafka_queue_poll",
     {"!rrd_kafka_q_pop_serve;!rcnd_timedwait_ms;!c___pthread_cond_timedwait64;!c__futex_abstimed_wait_common",
      "!rrd_kafka_q_pop_serve;!rrd_kafka_poll_cb;!c__memmove_avx_unaligned_erms", NULL}},
    {F_KAFKA, 0.01,
     "!cclone3;!cstart_thread;!r_thrd_wrapper_function;!rrd_kafka_broker_thread_main;!rrd_kafka_broker_serve;"
     "!rrd_kafka_broker_consumer_serve;!rrd_kafka_transport_io_serve",
     {"!rrd_kafka_transport_poll;!c__GI___poll",
      "!rrd_kafka_transport_io_event;!rrd_kafka_recv;!rrd_kafka_transport_recv;!rrd_kafka_transport_socket_recv;"
      "!c__GI___libc_read",
      "!rrd_kafka_broker_ops_io_serve;!rrd_kafka_broker_produce_toppar;!rrd_kafka_msgset_create_ProduceRequest;"
      "!c__GI___libc_write", NULL}},
};

#endif
